from nakanaori.cli import main

main()

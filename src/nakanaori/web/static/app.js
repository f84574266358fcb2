// 仲直り: small progressive enhancements. Every form works without this file.
(function () {
  "use strict";
  document.documentElement.classList.add("js");

  function ready(fn) {
    if (document.readyState !== "loading") fn(); else document.addEventListener("DOMContentLoaded", fn);
  }

  function copyText(text, button) {
    var done = function () {
      var old = button.textContent;
      button.textContent = "コピーしました";
      button.classList.add("copied");
      setTimeout(function () { button.textContent = old; button.classList.remove("copied"); }, 1600);
    };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(done, function () { fallbackCopy(text); done(); });
    } else { fallbackCopy(text); done(); }
  }

  function fallbackCopy(text) {
    var ta = document.createElement("textarea");
    ta.value = text; ta.setAttribute("readonly", ""); ta.style.position = "fixed"; ta.style.opacity = "0";
    document.body.appendChild(ta); ta.select();
    try { document.execCommand("copy"); } catch (e) { /* nothing else to try */ }
    document.body.removeChild(ta);
  }

  ready(function () {
    // Copy buttons: data-copy="<id of the element whose text to copy>".
    document.querySelectorAll("[data-copy]").forEach(function (btn) {
      btn.addEventListener("click", function () {
        var el = document.getElementById(btn.getAttribute("data-copy"));
        if (el) copyText(el.innerText.trim(), btn);
      });
    });

    // Confirm destructive forms.
    document.querySelectorAll("form[data-confirm]").forEach(function (form) {
      form.addEventListener("submit", function (ev) {
        if (!window.confirm(form.getAttribute("data-confirm"))) ev.preventDefault();
      });
    });

    // Highlights: tap shows the reason and suggestion right under the draft instead of jumping.
    var draft = document.getElementById("draft");
    if (draft) {
      var pop = document.createElement("div");
      pop.className = "popover"; pop.hidden = true; pop.setAttribute("role", "status");
      draft.insertAdjacentElement("afterend", pop);
      draft.addEventListener("click", function (ev) {
        var a = ev.target.closest("a.hl");
        if (!a) return;
        ev.preventDefault();
        draft.querySelectorAll("a.hl.active").forEach(function (x) { x.classList.remove("active"); });
        var ids = (a.getAttribute("data-findings") || "").split(" ");
        var html = "";
        ids.forEach(function (i) {
          var item = document.getElementById("f-" + i);
          if (item) html += '<div class="pop-item">' + item.innerHTML + "</div>";
        });
        if (!html || (!pop.hidden && pop.getAttribute("data-for") === ids.join(" "))) {
          pop.hidden = true; pop.removeAttribute("data-for"); return;
        }
        a.classList.add("active");
        pop.innerHTML = html; pop.hidden = false; pop.setAttribute("data-for", ids.join(" "));
      });
    }

    // Character counter for drafts (LINE allows 5,000 characters per message).
    document.querySelectorAll("textarea[maxlength]").forEach(function (ta) {
      var max = parseInt(ta.getAttribute("maxlength"), 10);
      var out = document.createElement("span");
      out.className = "counter muted small";
      var update = function () { out.textContent = Array.from(ta.value).length + " / " + max.toLocaleString() + "文字"; };
      ta.insertAdjacentElement("afterend", out); update();
      ta.addEventListener("input", update);
    });
  });
})();

/* The learned model's per-message work in one native call: feature codes and scores.
 *
 * This is the same computation as the numpy reference in features.py (codes) and model.py
 * (Model.score_codes), written as plain loops over small buffers, so that a message costs one call
 * instead of ~70 numpy calls and their temporaries. The reference stays the readable statement of the
 * features; tests compare the two on every message of the train and dev batches and on fuzzed texts.
 *
 * The product calls Scorer.judge_sentences(tokens, sentences): the units (sentences less their spaces),
 * the tokens' rows (a per-process table here; a token seen for the first time gets its row computed here,
 * compute_row: features._token_row's bytes, BLAKE2b-64 of the strings included), the codes, the
 * scores and the decisions, in one call. The same inputs can be given explicitly (for tests and for any
 * other caller), as features.native_inputs builds them in one Python pass over the tokens:
 *   rows    bytes, n x ROW_WIDTH uint64: each token's row from the per-process token table
 *   bounds  n_units + 1 ints: the first token of each unit, then n
 *   starts  n_clauses + 1 ints: the first token of each clause (a unit starts a clause), then n
 *   chars   str: the tokens' surfaces joined (the row's CHARS column holds each surface's length)
 *
 * bag() is the generic primitive: given codes, their units, n_message, hash_bits and a float16 table
 * [2**hash_bits, W], per unit the sum over its distinct features' buckets of table rows (some columns)
 * divided by sqrt(#distinct), and the same for the whole-message view (other columns).
 *
 * Floating point follows numpy's float32 order of operations (sums of float16 rows are accumulated in
 * double, exactly, and rounded once; numpy's float32 matrix product may differ in the last bits: the
 * tests allow 1e-6 and require the same decisions).
 * The GIL is held throughout: a call takes tens of microseconds and the server uses processes, not
 * threads.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <structmember.h>
#include <math.h>
#include <stdint.h>
#include <string.h>
/* __builtin_cpu_supports("f16c") is known to clang from 18 and to GCC from 11; older compilers take the portable path */
#if (defined(__x86_64__) || defined(__i386__)) &&                                                          \
    ((defined(__clang__) && __clang_major__ >= 18) || (!defined(__clang__) && defined(__GNUC__) && __GNUC__ >= 11))
#define HAVE_X86_F16C 1 /* F16C may be there: asked of the CPU at run time */
#include <immintrin.h>
#endif

/* the per-token row's columns (features.py: _U1 ... _FLAGS) */
enum { U1, FUNC, CFORM, REQ, TAG_R, TAG_K, TAG_O, TAG_L, ZERO, PREV, NEXT, KEY, SURF, LEMMA, ROLE_ID, CHARS, FLAGS,
       ROW_WIDTH };
/* FLAGS bits (features.py: _F_*) */
#define F_COMMA 1u        /* surface is a comma */
#define F_CLOSER_R 2u     /* lemma closes a clause as a reason or account */
#define F_CLOSER_K 4u     /* lemma closes a clause as a concession */
#define F_QEND 8u         /* surface ends a question */
#define F_KA_NO 16u       /* surface is か or の */
#define F_SYMBOL 32u      /* pos1 is 補助記号 */
#define F_PARTICLE 64u    /* surface is a particle after a person word */

/* the family multipliers the C side applies (features.py: native_constants, in this order) */
enum { C_BI1, C_BI2, C_TRI1, C_TRI2, C_TRI3, C_CH1, C_CH2, C_CH3, C_CH4, C_WHO1, C_WHO2, C_WHO21, C_WHO22, C_WHO23,
       C_QEND, C_QROLE, C_FIRST, C_LAST, C_SHORT, C_DOLLAR, C_SCOPE_BIT, N_CONST };
static uint64_t K[N_CONST];
static int configured = 0;

#define UNIT_BITS 13
#define ID_SHIFT (UNIT_BITS + 1)
#define UNIT_ONLY ((uint64_t)1 << UNIT_BITS)
#define UNIT_MASK (UNIT_ONLY - 1)

static inline uint64_t avalanche(uint64_t x) {
    x ^= x >> 30;
    x *= 0xBF58476D1CE4E5B9ULL;
    x ^= x >> 27;
    x *= 0x94D049BB133111EBULL;
    x ^= x >> 31;
    return x;
}

/* ---------- the codes of a message ---------- */

typedef struct {
    uint64_t *code;
    int64_t *unit;
    Py_ssize_t n;
    Py_ssize_t n_message;
} Feats;

static void feats_free(Feats *f) {
    PyMem_Free(f->code);
    PyMem_Free(f->unit);
    f->code = NULL;
    f->unit = NULL;
}

typedef struct {
    const uint64_t *rows;   /* n x ROW_WIDTH */
    Py_ssize_t n;           /* tokens */
    Py_ssize_t *bounds;     /* n_units + 1 */
    Py_ssize_t n_units;
    Py_ssize_t *starts;     /* n_clauses + 1 */
    Py_ssize_t n_clauses;
    Py_UCS4 *chars;         /* the surfaces' code points, m of them */
    Py_ssize_t m;
    uint64_t *rows_own;     /* rows, when gathered here (else rows_buf) */
    Py_buffer rows_buf;
} Inputs;

static void inputs_release(Inputs *in) {
    if (in->rows_buf.obj) PyBuffer_Release(&in->rows_buf);
    PyMem_Free(in->bounds);
    PyMem_Free(in->starts);
    PyMem_Free(in->chars);
    PyMem_Free(in->rows_own);
    in->bounds = in->starts = NULL;
    in->chars = NULL;
    in->rows_own = NULL;
}

/* a list of non-decreasing ints in [0, n] ending with n, at least two long */
static Py_ssize_t *read_marks(PyObject *seq, Py_ssize_t n, Py_ssize_t *count, const char *what) {
    PyObject *fast = PySequence_Fast(seq, what);
    if (!fast) return NULL;
    Py_ssize_t len = PySequence_Fast_GET_SIZE(fast);
    if (len < 2) {
        Py_DECREF(fast);
        PyErr_Format(PyExc_ValueError, "%s: needs at least two marks", what);
        return NULL;
    }
    Py_ssize_t *out = PyMem_Malloc(sizeof(Py_ssize_t) * (size_t)len);
    if (!out) {
        Py_DECREF(fast);
        PyErr_NoMemory();
        return NULL;
    }
    PyObject **items = PySequence_Fast_ITEMS(fast);
    Py_ssize_t prev = 0;
    for (Py_ssize_t i = 0; i < len; i++) {
        Py_ssize_t v = PyLong_AsSsize_t(items[i]);
        if (v == -1 && PyErr_Occurred()) goto fail;
        if (v < prev || v > n || (i == 0 && v != 0) || (i == len - 1 && v != n) || (i > 0 && v == prev)) {
            PyErr_Format(PyExc_ValueError, "%s: marks must rise strictly from 0 to the number of tokens", what);
            goto fail;
        }
        out[i] = prev = v;
    }
    Py_DECREF(fast);
    *count = len - 1;
    return out;
fail:
    Py_DECREF(fast);
    PyMem_Free(out);
    return NULL;
}

static int read_inputs(PyObject *rows, PyObject *bounds, PyObject *starts, PyObject *chars, Inputs *in) {
    memset(in, 0, sizeof(*in));
    if (!configured) {
        PyErr_SetString(PyExc_RuntimeError, "_native.configure() was not called");
        return -1;
    }
    if (!PyUnicode_Check(chars)) {
        PyErr_SetString(PyExc_TypeError, "chars must be a str");
        return -1;
    }
    if (PyObject_GetBuffer(rows, &in->rows_buf, PyBUF_SIMPLE) < 0) return -1;
    Py_ssize_t bytes = in->rows_buf.len;
    if (bytes % (ROW_WIDTH * 8) != 0 || bytes == 0) {
        PyErr_SetString(PyExc_ValueError, "rows: not a whole number of token rows (or none)");
        goto fail;
    }
    in->rows = (const uint64_t *)in->rows_buf.buf;
    in->n = bytes / (ROW_WIDTH * 8);
    if (!(in->bounds = read_marks(bounds, in->n, &in->n_units, "bounds"))) goto fail;
    if (!(in->starts = read_marks(starts, in->n, &in->n_clauses, "starts"))) goto fail;
    /* every unit starts a clause */
    for (Py_ssize_t k = 0, c = 0; k < in->n_units; k++) {
        while (c < in->n_clauses && in->starts[c] < in->bounds[k]) c++;
        if (in->starts[c] != in->bounds[k]) {
            PyErr_SetString(PyExc_ValueError, "starts: every unit must start a clause");
            goto fail;
        }
    }
    Py_ssize_t m = 0;
    for (Py_ssize_t i = 0; i < in->n; i++) m += (Py_ssize_t)(in->rows[i * ROW_WIDTH + CHARS] >> 1);
    if (m != PyUnicode_GET_LENGTH(chars)) {
        PyErr_SetString(PyExc_ValueError, "chars: the rows' surface lengths do not add up to its length");
        goto fail;
    }
    if (!(in->chars = PyUnicode_AsUCS4Copy(chars))) goto fail;
    in->m = m;
    return 0;
fail:
    inputs_release(in);
    return -1;
}

/* ---------- the tokens of a message, read here (features.native_inputs's pass, in C) ---------- */

/* Token's attributes, read from their slots (the offsets of its member descriptors, found once) */
enum { A_POS_STR, A_CLAUSE, A_QUOTE, A_REPORTED, A_NEGATED, A_REQUEST, A_LEMMA, A_SURFACE, A_POS1, A_CFORM,
       A_BEGIN, A_END, N_ATTR };
static const char *const attr_names[N_ATTR] = {"pos_str", "clause", "quote", "reported", "negated", "request",
                                               "lemma", "surface", "pos1", "cform", "begin", "end"};
static Py_ssize_t attr_offset[N_ATTR];
static PyTypeObject *token_type = NULL;
static PyObject *make_row = NULL; /* features._token_row: a token key -> its row (bytes) */
static PyObject *str_start_token = NULL, *str_end_token = NULL;

static inline PyObject *slot(PyObject *tok, int a) {
    PyObject *v = *(PyObject **)((char *)tok + attr_offset[a]);
    if (!v) PyErr_Format(PyExc_AttributeError, "a token has no %s", attr_names[a]);
    return v; /* borrowed */
}

static inline int same_str(PyObject *a, PyObject *b) {
    if (a == b) return 1;
    if (!PyUnicode_Check(a) || !PyUnicode_Check(b)) return PyObject_RichCompareBool(a, b, Py_EQ);
    Py_ssize_t n = PyUnicode_GET_LENGTH(a);
    if (n != PyUnicode_GET_LENGTH(b) || PyUnicode_KIND(a) != PyUnicode_KIND(b)) return 0;
    return memcmp(PyUnicode_DATA(a), PyUnicode_DATA(b), (size_t)n * PyUnicode_KIND(a)) == 0;
}

/* ---------- a token's row, computed here (features._token_row, in C) ---------- */

/* BLAKE2b with an 8-byte digest and no key (RFC 7693): features.string_id, the stable id of a string, is
 * BLAKE2b-64 of its UTF-8 bytes read as a little-endian integer. The message is given in pieces (a mark, a
 * separator) so that no concatenated string need be built. */
static const uint64_t B2_IV[8] = {0x6A09E667F3BCC908ULL, 0xBB67AE8584CAA73BULL, 0x3C6EF372FE94F82BULL,
                                  0xA54FF53A5F1D36F1ULL, 0x510E527FADE682D1ULL, 0x9B05688C2B3E6C1FULL,
                                  0x1F83D9ABFB41BD6BULL, 0x5BE0CD19137E2179ULL};
static const uint8_t B2_SIGMA[12][16] = {
    {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15}, {14, 10, 4, 8, 9, 15, 13, 6, 1, 12, 0, 2, 11, 7, 5, 3},
    {11, 8, 12, 0, 5, 2, 15, 13, 10, 14, 3, 6, 7, 1, 9, 4}, {7, 9, 3, 1, 13, 12, 11, 14, 2, 6, 5, 10, 4, 0, 15, 8},
    {9, 0, 5, 7, 2, 4, 10, 15, 14, 1, 11, 12, 6, 8, 3, 13}, {2, 12, 6, 10, 0, 11, 8, 3, 4, 13, 7, 5, 15, 14, 1, 9},
    {12, 5, 1, 15, 14, 13, 4, 10, 0, 7, 6, 3, 9, 2, 8, 11}, {13, 11, 7, 14, 12, 1, 3, 9, 5, 0, 15, 4, 8, 6, 2, 10},
    {6, 15, 14, 9, 11, 3, 0, 8, 12, 2, 13, 7, 1, 4, 10, 5}, {10, 2, 8, 4, 7, 6, 1, 5, 15, 11, 9, 14, 3, 12, 13, 0},
    {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15}, {14, 10, 4, 8, 9, 15, 13, 6, 1, 12, 0, 2, 11, 7, 5, 3}};

typedef struct {
    uint64_t h[8];
    uint64_t t; /* bytes compressed so far */
    uint8_t buf[128];
    size_t fill;
} B2;

static inline uint64_t rotr64(uint64_t x, int n) { return (x >> n) | (x << (64 - n)); }

static void b2_compress(B2 *s, int last) {
    uint64_t v[16], m[16];
    for (int i = 0; i < 16; i++) {
        uint64_t w = 0;
        for (int b = 7; b >= 0; b--) w = (w << 8) | s->buf[8 * i + b];
        m[i] = w;
    }
    for (int i = 0; i < 8; i++) {
        v[i] = s->h[i];
        v[i + 8] = B2_IV[i];
    }
    v[12] ^= s->t;
    if (last) v[14] = ~v[14];
#define B2_G(a, b, c, d, x, y)         \
    do {                               \
        v[a] = v[a] + v[b] + (x);      \
        v[d] = rotr64(v[d] ^ v[a], 32); \
        v[c] = v[c] + v[d];            \
        v[b] = rotr64(v[b] ^ v[c], 24); \
        v[a] = v[a] + v[b] + (y);      \
        v[d] = rotr64(v[d] ^ v[a], 16); \
        v[c] = v[c] + v[d];            \
        v[b] = rotr64(v[b] ^ v[c], 63); \
    } while (0)
    for (int r = 0; r < 12; r++) {
        const uint8_t *sg = B2_SIGMA[r];
        B2_G(0, 4, 8, 12, m[sg[0]], m[sg[1]]);
        B2_G(1, 5, 9, 13, m[sg[2]], m[sg[3]]);
        B2_G(2, 6, 10, 14, m[sg[4]], m[sg[5]]);
        B2_G(3, 7, 11, 15, m[sg[6]], m[sg[7]]);
        B2_G(0, 5, 10, 15, m[sg[8]], m[sg[9]]);
        B2_G(1, 6, 11, 12, m[sg[10]], m[sg[11]]);
        B2_G(2, 7, 8, 13, m[sg[12]], m[sg[13]]);
        B2_G(3, 4, 9, 14, m[sg[14]], m[sg[15]]);
    }
#undef B2_G
    for (int i = 0; i < 8; i++) s->h[i] ^= v[i] ^ v[i + 8];
}

static void b2_init(B2 *s) {
    memcpy(s->h, B2_IV, sizeof s->h);
    s->h[0] ^= 0x01010000ULL ^ 8; /* depth 1, fanout 1, no key, an 8-byte digest */
    s->t = 0;
    s->fill = 0;
}

static void b2_update(B2 *s, const void *data, size_t len) {
    const uint8_t *p = data;
    while (len) {
        if (s->fill == 128) { /* a full block is compressed only once more input follows (the last is final) */
            s->t += 128;
            b2_compress(s, 0);
            s->fill = 0;
        }
        size_t take = 128 - s->fill < len ? 128 - s->fill : len;
        memcpy(s->buf + s->fill, p, take);
        s->fill += take;
        p += take;
        len -= take;
    }
}

static uint64_t b2_final(B2 *s) {
    s->t += s->fill;
    memset(s->buf + s->fill, 0, 128 - s->fill);
    b2_compress(s, 1);
    return s->h[0]; /* the first 8 bytes of the digest, little-endian */
}

/* string_id(prefix + s[:len] + sep + s2): UTF-8 of the str objects (NULL: left out); -1 with an exception set
 * when a str cannot be encoded (a lone surrogate, as str.encode() refuses it), else 0 */
static int ids_of(const char *prefix, PyObject *a, Py_ssize_t a_len, const char *sep, PyObject *b, uint64_t *out) {
    B2 s;
    b2_init(&s);
    if (prefix) b2_update(&s, prefix, strlen(prefix));
    if (a) {
        Py_ssize_t n;
        const char *u = PyUnicode_AsUTF8AndSize(a, &n);
        if (!u) return -1;
        b2_update(&s, u, (size_t)(a_len >= 0 && a_len < n ? a_len : n));
    }
    if (sep) b2_update(&s, sep, strlen(sep));
    if (b) {
        Py_ssize_t n;
        const char *u = PyUnicode_AsUTF8AndSize(b, &n);
        if (!u) return -1;
        b2_update(&s, u, (size_t)n);
    }
    *out = b2_final(&s);
    return 0;
}

/* what the row needs of features.py (features.native_row_spec): the families' multipliers, the role of a
 * lemma (its string id), @PRON's id, and the word sets of the FLAGS column */
enum { R_UNI, R_FUNC, R_CFORM, R_REQ, R_R, R_K, R_O, R_L, R_P, R_N, R_PRON, N_RCONST };
static uint64_t RK[N_RCONST];
static PyObject *row_roles = NULL;     /* dict: lemma -> role's string id (int) */
static PyObject *row_function = NULL;  /* tuple of the parts of speech of function words (prefixes) */
enum { S_COMMAS, S_REASON, S_CONTRAST, S_QEND, S_KA_NO, S_PARTICLES, N_SETS };
static PyObject *row_sets[N_SETS];     /* frozensets of str */
static PyObject *str_symbol = NULL, *str_pronoun = NULL; /* 補助記号, 代名詞 */
static int rows_native = 0;            /* configure_rows() was called: rows are computed here */

static int in_set(int which, PyObject *s) { return PySet_Contains(row_sets[which], s); }

/* features._token_row(key) into row[ROW_WIDTH]; 0, or -1 with an exception set */
static int compute_row(PyObject *lemma, PyObject *surface, PyObject *pos1, PyObject *cform, long scope_request,
                       uint64_t *row) {
    PyObject *strs[4] = {lemma, surface, pos1, cform};
    for (int k = 0; k < 4; k++)
        if (!PyUnicode_Check(strs[k])) {
            PyErr_SetString(PyExc_TypeError, "a token's lemma, surface, pos1 and cform must be str");
            return -1;
        }
    long scope = scope_request & 3, request = scope_request & 4;
    PyObject *base = PyUnicode_GET_LENGTH(lemma) ? lemma : surface;
    const char *mark = scope == 1 ? "\xC2\xAB" : scope == 2 ? "\xC2\xAC" : ""; /* « ¬ */
    int function = 0;
    for (Py_ssize_t q = 0; q < PyTuple_GET_SIZE(row_function) && !function; q++) {
        Py_ssize_t r = PyUnicode_Tailmatch(pos1, PyTuple_GET_ITEM(row_function, q), 0, PY_SSIZE_T_MAX, -1);
        if (r < 0) return -1;
        function = (int)r;
    }
    uint64_t role = 0;
    PyObject *rv = PyDict_GetItemWithError(row_roles, lemma); /* borrowed */
    if (rv) {
        role = PyLong_AsUnsignedLongLongMask(rv);
        if (role == (uint64_t)-1 && PyErr_Occurred()) return -1;
    } else if (PyErr_Occurred()) {
        return -1;
    } else {
        int pron = same_str(pos1, str_pronoun);
        if (pron < 0) return -1;
        if (pron) role = RK[R_PRON];
    }
    uint64_t k, id_func = 0, id_cform = 0, id_base = 0, id_surf, id_lemma;
    if (ids_of(mark, base, -1, NULL, NULL, &k) < 0) return -1;
    if (function && ids_of(NULL, pos1, -1, ":", surface, &id_func) < 0) return -1;
    if (PyUnicode_GET_LENGTH(cform)) {
        Py_ssize_t dash = PyUnicode_FindChar(cform, '-', 0, PyUnicode_GET_LENGTH(cform), 1);
        if (dash == -2) return -1;
        /* cform.split("-", 1)[0]: the UTF-8 bytes before the first '-' (an ASCII byte never inside a
         * multibyte sequence), found on the encoded form */
        Py_ssize_t n;
        const char *u = PyUnicode_AsUTF8AndSize(cform, &n);
        if (!u) return -1;
        const char *d = dash >= 0 ? memchr(u, '-', (size_t)n) : NULL;
        if (ids_of(NULL, cform, d ? (Py_ssize_t)(d - u) : -1, NULL, NULL, &id_cform) < 0) return -1;
    }
    if (request && ids_of(NULL, base, -1, NULL, NULL, &id_base) < 0) return -1;
    if (ids_of(NULL, surface, -1, NULL, NULL, &id_surf) < 0) return -1;
    if (ids_of(NULL, lemma, -1, NULL, NULL, &id_lemma) < 0) return -1;
    int comma, closer_r, closer_k = 0, qend, ka_no, symbol, particle;
    if ((comma = in_set(S_COMMAS, surface)) < 0 || (closer_r = in_set(S_REASON, lemma)) < 0 ||
        (!closer_r && (closer_k = in_set(S_CONTRAST, lemma)) < 0) || (qend = in_set(S_QEND, surface)) < 0 ||
        (ka_no = in_set(S_KA_NO, surface)) < 0 || (symbol = same_str(pos1, str_symbol)) < 0 ||
        (particle = in_set(S_PARTICLES, surface)) < 0)
        return -1;
    uint64_t content = function ? 0 : 1;
    row[U1] = k * RK[R_UNI];
    row[FUNC] = function ? id_func * RK[R_FUNC] : 0;
    row[CFORM] = id_cform * RK[R_CFORM]; /* 0 without a cform */
    row[REQ] = request ? id_base * RK[R_REQ] : 0;
    row[TAG_R] = k * RK[R_R] * content;
    row[TAG_K] = k * RK[R_K] * content;
    row[TAG_O] = k * RK[R_O] * content;
    row[TAG_L] = k * RK[R_L] * content;
    row[ZERO] = 0;
    row[PREV] = k * RK[R_P];
    row[NEXT] = k * RK[R_N];
    row[KEY] = k;
    row[SURF] = id_surf;
    row[LEMMA] = id_lemma;
    row[ROLE_ID] = role;
    row[CHARS] = (uint64_t)PyUnicode_GET_LENGTH(surface) << 1 | (scope == 1);
    row[FLAGS] = (comma ? F_COMMA : 0) | (closer_r ? F_CLOSER_R : closer_k ? F_CLOSER_K : 0) | (qend ? F_QEND : 0) |
                 (ka_no ? F_KA_NO : 0) | (symbol ? F_SYMBOL : 0) | (particle ? F_PARTICLE : 0);
    return 0;
}

/* the per-process table of token rows: open addressing on the token's key (lemma, surface, pos1, cform,
 * scope), hashed from Python's hashes of the strings and checked in full on a hit (the strings are kept:
 * lemma, pos1 and cform are mostly the very objects of the tokeniser's word cache, so the check is a
 * pointer comparison; the surface is compared by content). The row is inline. Bounded: emptied when
 * full, as features._ROWS is. */
typedef struct {
    uint64_t h; /* 0: empty */
    PyObject *key[4]; /* lemma, surface, pos1, cform (strong references) */
    long scope;
    uint64_t row[ROW_WIDTH];
} RowEntry;
static RowEntry *row_table = NULL;
static size_t row_cap = 0, row_used = 0;
#define ROW_TABLE_MAX ((size_t)1 << 17) /* slots: at most half used (65,536 kinds of token), then emptied */

static void row_table_clear(void) {
    for (size_t i = 0; i < row_cap; i++)
        if (row_table[i].h)
            for (int k = 0; k < 4; k++) Py_CLEAR(row_table[i].key[k]);
    if (row_table) memset(row_table, 0, sizeof(RowEntry) * row_cap);
    row_used = 0;
}

static int row_table_grow(void) {
    size_t cap = row_cap ? row_cap * 2 : 4096;
    if (cap > ROW_TABLE_MAX) { /* full: start again (as features._ROWS is cleared past _ROWS_MAX) */
        row_table_clear();
        return 0;
    }
    RowEntry *t = PyMem_Calloc(cap, sizeof(RowEntry));
    if (!t) {
        PyErr_NoMemory();
        return -1;
    }
    for (size_t i = 0; i < row_cap; i++) {
        if (!row_table[i].h) continue;
        size_t j = (size_t)row_table[i].h & (cap - 1);
        while (t[j].h) j = (j + 1) & (cap - 1);
        t[j] = row_table[i]; /* the references move with the entry */
    }
    PyMem_Free(row_table);
    row_table = t;
    row_cap = cap;
    return 0;
}


/* where a token's row sits in the table: its key's hash (0 is never one); -1 with an exception set */
static inline int row_hash(PyObject *const key[4], long scope, uint64_t *out) {
    uint64_t h = 0x9E3779B97F4A7C15ULL ^ (uint64_t)scope;
    for (int k = 0; k < 4; k++) {
        Py_hash_t x = PyObject_Hash(key[k]);
        if (x == -1) return -1;
        h = avalanche(h ^ (uint64_t)x);
    }
    *out = h | (h == 0);
    return 0;
}

/* the slot where the row of this token would be looked up first, fetched into the caches ahead of the
 * lookup (the table is megabytes, a message's tokens land anywhere in it); nothing when the token is not
 * what gather expects (gather raises then) */
static void prefetch_row(PyObject *t) {
    if (!row_cap || Py_TYPE(t) != token_type) return;
    PyObject *v[8];
    static const int attrs[8] = {A_LEMMA, A_SURFACE, A_POS1, A_CFORM, A_QUOTE, A_REPORTED, A_NEGATED, A_REQUEST};
    for (int a = 0; a < 8; a++) {
        v[a] = *(PyObject **)((char *)t + attr_offset[attrs[a]]);
        if (!v[a] || (a < 4 && !PyUnicode_CheckExact(v[a])) || (a >= 4 && !PyBool_Check(v[a]))) return;
    }
    long scope = ((v[4] == Py_True || v[5] == Py_True) ? 1 : v[6] == Py_True ? 2 : 0) | (v[7] == Py_True ? 4 : 0);
    uint64_t h;
    if (row_hash(v, scope, &h) < 0) {
        PyErr_Clear(); /* str hashes do not fail */
        return;
    }
    const char *e = (const char *)&row_table[(size_t)h & (row_cap - 1)];
    __builtin_prefetch(e);
    __builtin_prefetch(e + 64);
    __builtin_prefetch(e + 128);
    __builtin_prefetch(e + sizeof(RowEntry) - 1);
}

static const uint64_t *token_row(PyObject *lemma, PyObject *surface, PyObject *pos1, PyObject *cform, long scope) {
    PyObject *key[4] = {lemma, surface, pos1, cform};
    uint64_t h;
    if (row_hash(key, scope, &h) < 0) return NULL;
    if (row_cap) {
        size_t j = (size_t)h & (row_cap - 1);
        while (row_table[j].h) {
            RowEntry *e = &row_table[j];
            if (e->h == h && e->scope == scope) {
                int eq = 1;
                for (int k = 0; k < 4 && eq == 1; k++) eq = same_str(e->key[k], key[k]);
                if (eq < 0) return NULL;
                if (eq) return e->row;
            }
            j = (j + 1) & (row_cap - 1);
        }
    }
    /* a miss: the row computed here (configure_rows) or by Python (BLAKE2b of the strings), kept */
    if (2 * (row_used + 1) > row_cap && row_table_grow() < 0) return NULL;
    uint64_t fresh[ROW_WIDTH];
    PyObject *row = NULL;
    if (rows_native) {
        if (compute_row(lemma, surface, pos1, cform, scope, fresh) < 0) return NULL;
    } else {
        PyObject *tuple = Py_BuildValue("(OOOOl)", lemma, surface, pos1, cform, scope);
        if (!tuple) return NULL;
        row = PyObject_CallOneArg(make_row, tuple);
        Py_DECREF(tuple);
        if (!row) return NULL;
        if (!PyBytes_Check(row) || PyBytes_GET_SIZE(row) != ROW_WIDTH * 8) {
            Py_DECREF(row);
            PyErr_SetString(PyExc_ValueError, "a token row must be ROW_WIDTH uint64 as bytes");
            return NULL;
        }
        memcpy(fresh, PyBytes_AS_STRING(row), ROW_WIDTH * 8);
        Py_DECREF(row);
    }
    size_t j = (size_t)h & (row_cap - 1);
    while (row_table[j].h) j = (j + 1) & (row_cap - 1);
    RowEntry *e = &row_table[j];
    e->h = h;
    e->scope = scope;
    for (int k = 0; k < 4; k++) {
        Py_INCREF(key[k]);
        e->key[k] = key[k];
    }
    memcpy(e->row, fresh, ROW_WIDTH * 8);
    row_used++;
    return e->row;
}

static int grow(void **buf, Py_ssize_t *cap, Py_ssize_t need, size_t item) {
    if (need <= *cap) return 0;
    Py_ssize_t c = *cap ? *cap : 64;
    while (c < need) c *= 2;
    void *p = PyMem_Realloc(*buf, (size_t)c * item);
    if (!p) {
        PyErr_NoMemory();
        return -1;
    }
    *buf = p;
    *cap = c;
    return 0;
}

static Py_ssize_t unit_index(PyObject *unit, PyObject *name, Py_ssize_t n_tokens) {
    PyObject *v = PyObject_GetAttr(unit, name);
    if (!v) return -1;
    Py_ssize_t i = PyLong_AsSsize_t(v);
    Py_DECREF(v);
    if (i == -1 && PyErr_Occurred()) return -1;
    if (i < 0 || i > n_tokens) {
        PyErr_SetString(PyExc_ValueError, "a unit's token range lies outside the tokens");
        return -1;
    }
    return i;
}

/* 1 when the token is a space (_SKIP_POS: no part of a unit's features), 0 when not, -1 on error */
static int token_is_space(PyObject *t) {
    if (!PyObject_TypeCheck(t, token_type)) {
        PyErr_SetString(PyExc_TypeError, "tokens must be Token objects");
        return -1;
    }
    PyObject *pos_str = slot(t, A_POS_STR);
    if (!pos_str) return -1;
    if (!PyUnicode_Check(pos_str)) {
        PyErr_SetString(PyExc_TypeError, "a token's pos_str must be a str");
        return -1;
    }
    return PyUnicode_GET_LENGTH(pos_str) >= 2 && PyUnicode_READ_CHAR(pos_str, 0) == 0x7A7A &&
           PyUnicode_READ_CHAR(pos_str, 1) == 0x767D; /* 空白 */
}

/* the token range [lo, hi) of each unit, from Unit objects (as given) or from sentences (features.units:
 * spaces trimmed at both ends, sentences of spaces only dropped); PyMem_Malloc'd, 2 per unit */
static Py_ssize_t *unit_ranges(PyObject *tokens, PyObject *seq, int from_sentences, Py_ssize_t *n_units) {
    if (!PyList_Check(tokens) || !PyList_Check(seq)) {
        PyErr_SetString(PyExc_TypeError, "tokens and units (sentences) must be lists");
        return NULL;
    }
    Py_ssize_t n_tok = PyList_GET_SIZE(tokens), len = PyList_GET_SIZE(seq), k = 0;
    Py_ssize_t *r = PyMem_Malloc(sizeof(Py_ssize_t) * (size_t)(2 * len + 2));
    if (!r) {
        PyErr_NoMemory();
        return NULL;
    }
    for (Py_ssize_t q = 0; q < len; q++) {
        PyObject *u = PyList_GET_ITEM(seq, q);
        Py_ssize_t lo = unit_index(u, str_start_token, n_tok), hi;
        if (lo < 0 || (hi = unit_index(u, str_end_token, n_tok)) < 0) goto fail;
        if (from_sentences) {
            int sp;
            while (hi > lo && (sp = token_is_space(PyList_GET_ITEM(tokens, hi - 1)))) {
                if (sp < 0) goto fail;
                hi--;
            }
            while (lo < hi && (sp = token_is_space(PyList_GET_ITEM(tokens, lo)))) {
                if (sp < 0) goto fail;
                lo++;
            }
            if (lo >= hi) continue;
        }
        r[2 * k] = lo;
        r[2 * k + 1] = hi;
        k++;
    }
    *n_units = k;
    return r;
fail:
    PyMem_Free(r);
    return NULL;
}

/* the inputs of a message from its tokens and its units' token ranges (features.native_inputs) */
static int gather(PyObject *tokens, const Py_ssize_t *ranges, Py_ssize_t n_units, Inputs *in) {
    memset(in, 0, sizeof(*in));
    if (!configured || !token_type) {
        PyErr_SetString(PyExc_RuntimeError, "_native.configure() / configure_tokens() were not called");
        return -1;
    }
    Py_ssize_t cap_rows = 0, cap_chars = 0, cap_b = 0, cap_s = 0, n = 0, m = 0, ns = 0;
    if (grow((void **)&in->bounds, &cap_b, n_units + 1, sizeof(Py_ssize_t)) < 0) goto fail;
    /* the token table's slots first, all of them, so that their misses overlap (check with the model / without
     * it 1.2165 -> 1.2022 and 1.2152 -> 1.2011, same process, interleaved) */
    for (Py_ssize_t k = 0; k < n_units; k++)
            for (Py_ssize_t i = ranges[2 * k]; i < ranges[2 * k + 1]; i++) prefetch_row(PyList_GET_ITEM(tokens, i));
    for (Py_ssize_t k = 0; k < n_units; k++) {
        Py_ssize_t lo = ranges[2 * k], hi = ranges[2 * k + 1];
        in->bounds[k] = n;
        Py_ssize_t clause = -1;
        for (Py_ssize_t i = lo; i < hi; i++) {
            PyObject *t = PyList_GET_ITEM(tokens, i), *cl;
            int sp = token_is_space(t);
            if (sp < 0) goto fail;
            if (sp) continue; /* _SKIP_POS: a space is no part of a unit's features */
            if (!(cl = slot(t, A_CLAUSE))) goto fail;
            Py_ssize_t c = PyLong_AsSsize_t(cl);
            if (c == -1 && PyErr_Occurred()) goto fail;
            if (c != clause) { /* a unit starts a clause (clause is -1 there); so does a token of another one */
                clause = c;
                if (grow((void **)&in->starts, &cap_s, ns + 2, sizeof(Py_ssize_t)) < 0) goto fail;
                in->starts[ns++] = n;
            }
            PyObject *q, *r, *ng, *rq, *lemma, *surface, *pos1, *cform;
            if (!(q = slot(t, A_QUOTE)) || !(r = slot(t, A_REPORTED)) || !(ng = slot(t, A_NEGATED)) ||
                !(rq = slot(t, A_REQUEST)) || !(lemma = slot(t, A_LEMMA)) || !(surface = slot(t, A_SURFACE)) ||
                !(pos1 = slot(t, A_POS1)) || !(cform = slot(t, A_CFORM)))
                goto fail;
            /* strong references while Python may run (a row made on a miss) */
            PyObject *held[4] = {lemma, surface, pos1, cform};
            for (int h = 0; h < 4; h++) Py_INCREF(held[h]);
            int ok_tok = 0;
            int tq = PyObject_IsTrue(q), tr = PyObject_IsTrue(r), tn = PyObject_IsTrue(ng), trq = PyObject_IsTrue(rq);
            if (tq < 0 || tr < 0 || tn < 0 || trq < 0) goto token_done;
            if (!PyUnicode_Check(surface)) {
                PyErr_SetString(PyExc_TypeError, "a token's surface must be a str");
                goto token_done;
            }
            long scope = ((tq || tr) ? 1 : tn ? 2 : 0) | (trq ? 4 : 0);
            const uint64_t *row = token_row(lemma, surface, pos1, cform, scope);
            if (!row) goto token_done;
            Py_ssize_t len = PyUnicode_GET_LENGTH(surface);
            if ((Py_ssize_t)(row[CHARS] >> 1) != len) {
                PyErr_SetString(PyExc_ValueError, "a token row's surface length differs from the token's");
                goto token_done;
            }
            if (grow((void **)&in->rows_own, &cap_rows, n + 1, ROW_WIDTH * 8) < 0) goto token_done;
            memcpy(in->rows_own + n * ROW_WIDTH, row, ROW_WIDTH * 8);
            if (grow((void **)&in->chars, &cap_chars, m + len + 1, sizeof(Py_UCS4)) < 0) goto token_done;
            int kind = PyUnicode_KIND(surface);
            const void *data = PyUnicode_DATA(surface);
            for (Py_ssize_t j = 0; j < len; j++) in->chars[m++] = PyUnicode_READ(kind, data, j);
            ok_tok = 1;
        token_done:
            for (int h = 0; h < 4; h++) Py_DECREF(held[h]);
            if (!ok_tok) goto fail;
            n++;
        }
        if (n == in->bounds[k]) {
            PyErr_SetString(PyExc_ValueError, "a unit without tokens (features.units drops them)");
            goto fail;
        }
    }
    if (n_units == 0 || n == 0) {
        PyErr_SetString(PyExc_ValueError, "a message without units has no features");
        goto fail;
    }
    in->bounds[n_units] = n;
    if (grow((void **)&in->starts, &cap_s, ns + 1, sizeof(Py_ssize_t)) < 0) goto fail;
    in->starts[ns] = n;
    in->rows = in->rows_own;
    in->n = n;
    in->n_units = n_units;
    in->n_clauses = ns;
    in->m = m;
    return 0;
fail:
    inputs_release(in);
    return -1;
}

static int gather_units(PyObject *tokens, PyObject *units, int from_sentences, Inputs *in, Py_ssize_t **ranges) {
    Py_ssize_t n_units;
    Py_ssize_t *r = unit_ranges(tokens, units, from_sentences, &n_units);
    if (!r) return -1;
    /* a copy of the list: the tokens stay alive and in place whatever Python runs meanwhile */
    PyObject *snapshot = PyList_GetSlice(tokens, 0, PyList_GET_SIZE(tokens));
    if (!snapshot) {
        PyMem_Free(r);
        return -1;
    }
    int rc = gather(snapshot, r, n_units, in);
    Py_DECREF(snapshot);
    if (rc < 0 || !ranges)
        PyMem_Free(r);
    else
        *ranges = r;
    return rc;
}

static inline int closer_class(const uint64_t *R, Py_ssize_t lo, Py_ssize_t hi) {
    /* the clause toks[lo:hi]: TAG_R, TAG_K or TAG_O by its closing word (a comma defers to the word before) */
    uint64_t f = R[(hi - 1) * ROW_WIDTH + FLAGS];
    if (f & F_COMMA) {
        if (hi - 2 < lo) return TAG_O;
        f = R[(hi - 2) * ROW_WIDTH + FLAGS];
    }
    return (f & F_CLOSER_R) ? TAG_R : (f & F_CLOSER_K) ? TAG_K : TAG_O;
}

static int featurise(const Inputs *in, Feats *out) {
    const uint64_t *R = in->rows;
    const Py_ssize_t n = in->n, n_units = in->n_units;
    const Py_ssize_t m = in->m;
    const Py_ssize_t cap = 12 * n + 3 * m + 4 * n_units + 16;
    memset(out, 0, sizeof(*out));
    Py_ssize_t *ut = PyMem_Malloc(sizeof(Py_ssize_t) * (size_t)n);          /* unit of each token */
    int *col = PyMem_Malloc(sizeof(int) * (size_t)n);                        /* tagged column of each token */
    char *asked = PyMem_Calloc((size_t)n_units, 1);
    uint64_t *seenr = PyMem_Malloc(sizeof(uint64_t) * (size_t)n);             /* roles asked in a unit */
    uint64_t *ex = PyMem_Malloc(sizeof(uint64_t) * (size_t)(2 * (n_units + 3 * n) + 2));
    uint64_t *cp = PyMem_Malloc(sizeof(uint64_t) * (size_t)(m + 1));
    Py_ssize_t *cst = PyMem_Malloc(sizeof(Py_ssize_t) * (size_t)(m + 1));   /* stretch of each character */
    Py_ssize_t *cu = PyMem_Malloc(sizeof(Py_ssize_t) * (size_t)(m + 1));    /* unit of each character */
    uint64_t *code = PyMem_Malloc(sizeof(uint64_t) * (size_t)cap);
    int64_t *unit = PyMem_Malloc(sizeof(int64_t) * (size_t)cap);
    int ok = ut && col && asked && seenr && ex && cp && cst && cu && code && unit;
    if (!ok) {
        PyErr_NoMemory();
        goto done;
    }
    /* units and clauses: each token's unit and tagged column; question endings */
    Py_ssize_t n_ex = 0, c = 0;
    for (Py_ssize_t k = 0; k < n_units; k++) {
        Py_ssize_t lo = in->bounds[k], hi = in->bounds[k + 1];
        for (Py_ssize_t i = lo; i < hi; i++) ut[i] = k;
        Py_ssize_t c0 = c;
        while (c + 1 < in->n_clauses && in->starts[c + 1] < hi) c++;
        c++; /* the clauses of unit k are c0 .. c - 1 */
        if (c - c0 == 1) {
            for (Py_ssize_t i = lo; i < hi; i++) col[i] = ZERO;
        } else {
            for (Py_ssize_t j = c0; j < c; j++) {
                Py_ssize_t a = in->starts[j], b = in->starts[j + 1];
                int tag = j == c - 1 ? TAG_L : closer_class(R, a, b);
                for (Py_ssize_t i = a; i < b; i++) col[i] = tag;
            }
        }
        uint64_t fe = R[(hi - 1) * ROW_WIDTH + FLAGS];
        if ((fe & F_QEND) || (hi - lo > 1 && (R[(hi - 2) * ROW_WIDTH + FLAGS] & F_KA_NO) && (fe & F_SYMBOL))) {
            asked[k] = 1;
            ex[2 * n_ex] = K[C_QEND];
            ex[2 * n_ex + 1] = (uint64_t)k;
            n_ex++;
        }
    }
    /* person words by role, with the word after them (and the word after a particle); with a question:
     * each role once per unit (the roles asked so far in the current unit in seen[0 .. n_seen)) */
    {
        Py_ssize_t seen_unit = -1, n_seen = 0;
        for (Py_ssize_t i = 0; i < n; i++) {
            uint64_t r = R[i * ROW_WIDTH + ROLE_ID];
            if (!r) continue;
            Py_ssize_t k = ut[i], hi = in->bounds[k + 1];
            uint64_t nxt = i + 1 < hi ? R[(i + 1) * ROW_WIDTH + SURF] : K[C_DOLLAR];
            ex[2 * n_ex] = r * K[C_WHO1] + nxt * K[C_WHO2];
            ex[2 * n_ex + 1] = (uint64_t)k;
            n_ex++;
            if (i + 2 < hi && (R[(i + 1) * ROW_WIDTH + FLAGS] & F_PARTICLE)) {
                ex[2 * n_ex] = r * K[C_WHO21] + R[(i + 1) * ROW_WIDTH + SURF] * K[C_WHO22] +
                               R[(i + 2) * ROW_WIDTH + LEMMA] * K[C_WHO23];
                ex[2 * n_ex + 1] = (uint64_t)k;
                n_ex++;
            }
            if (asked[k]) {
                if (k != seen_unit) {
                    seen_unit = k;
                    n_seen = 0;
                }
                int seen = 0;
                for (Py_ssize_t j = 0; j < n_seen && !seen; j++) seen = seenr[j] == r;
                if (!seen) {
                    seenr[n_seen++] = r;
                    ex[2 * n_ex] = r * K[C_QROLE];
                    ex[2 * n_ex + 1] = (uint64_t)k;
                    n_ex++;
                }
            }
        }
    }
    /* the code points of the surfaces, the scope folded in; stretches of one scope within a unit */
    {
        Py_ssize_t j = 0, stretch = 0;
        for (Py_ssize_t i = 0; i < n; i++) {
            uint64_t ch = R[i * ROW_WIDTH + CHARS];
            uint64_t scoped = ch & 1;
            if (i > 0 && (ut[i] != ut[i - 1] || scoped != (R[(i - 1) * ROW_WIDTH + CHARS] & 1))) stretch++;
            Py_ssize_t len = (Py_ssize_t)(ch >> 1);
            for (Py_ssize_t q = 0; q < len; q++, j++) {
                cp[j] = (uint64_t)in->chars[j] | (scoped ? K[C_SCOPE_BIT] : 0);
                cst[j] = stretch;
                cu[j] = ut[i];
            }
        }
    }
    /* the codes, in the reference's order; zeros dropped */
    Py_ssize_t w = 0;
#define PUT(v, u)                         \
    do {                                  \
        uint64_t v_ = (v);                \
        if (v_) {                         \
            code[w] = v_;                 \
            unit[w] = (int64_t)(u);       \
            w++;                          \
        }                                 \
    } while (0)
    for (Py_ssize_t i = 0; i < n; i++) {
        const uint64_t *r = R + i * ROW_WIDTH;
        PUT(r[U1], ut[i]);
        PUT(r[FUNC], ut[i]);
        PUT(r[CFORM], ut[i]);
    }
    for (Py_ssize_t i = 0; i < n; i++) PUT(R[i * ROW_WIDTH + REQ], ut[i]);
    for (Py_ssize_t i = 0; i < n; i++) PUT(R[i * ROW_WIDTH + col[i]], ut[i]);
    for (Py_ssize_t i = 0; i + 1 < n; i++)
        if (ut[i + 1] == ut[i])
            PUT(R[i * ROW_WIDTH + KEY] * K[C_BI1] + R[(i + 1) * ROW_WIDTH + KEY] * K[C_BI2], ut[i + 1]);
    for (Py_ssize_t i = 0; i + 2 < n; i++)
        if (ut[i + 2] == ut[i])
            PUT(R[i * ROW_WIDTH + KEY] * K[C_TRI1] + R[(i + 1) * ROW_WIDTH + KEY] * K[C_TRI2] +
                    R[(i + 2) * ROW_WIDTH + KEY] * K[C_TRI3],
                ut[i + 2]);
    for (Py_ssize_t j = 0; j + 1 < m; j++)
        if (cst[j + 1] == cst[j]) PUT(cp[j] * K[C_CH1] + cp[j + 1] * K[C_CH2], cu[j + 1]);
    for (Py_ssize_t j = 0; j + 2 < m; j++)
        if (cst[j + 2] == cst[j]) PUT(cp[j] * K[C_CH1] + cp[j + 1] * K[C_CH2] + cp[j + 2] * K[C_CH3], cu[j + 2]);
    for (Py_ssize_t j = 0; j + 3 < m; j++)
        if (cst[j + 3] == cst[j])
            PUT(cp[j] * K[C_CH1] + cp[j + 1] * K[C_CH2] + cp[j + 2] * K[C_CH3] + cp[j + 3] * K[C_CH4], cu[j + 3]);
    for (Py_ssize_t j = 0; j < n_ex; j++) PUT(ex[2 * j], (int64_t)ex[2 * j + 1]);
    out->n_message = w;
    /* unit-only: the lemmas of the units before and after, first / last / short */
    for (Py_ssize_t i = 0; i < n; i++)
        if (ut[i] < n_units - 1) PUT(R[i * ROW_WIDTH + PREV], ut[i] + 1);
    for (Py_ssize_t i = 0; i < n; i++)
        if (ut[i] > 0) PUT(R[i * ROW_WIDTH + NEXT], ut[i] - 1);
    for (Py_ssize_t k = 0; k < n_units; k++) {
        if (k == 0) PUT(K[C_FIRST], k);
        if (k == n_units - 1) PUT(K[C_LAST], k);
        if (in->bounds[k + 1] - in->bounds[k] <= 3) PUT(K[C_SHORT], k);
    }
#undef PUT
    for (Py_ssize_t j = 0; j < w; j++) code[j] = avalanche(code[j]);
    out->code = code;
    out->unit = unit;
    out->n = w;
    code = NULL;
    unit = NULL;
done:
    PyMem_Free(ut);
    PyMem_Free(col);
    PyMem_Free(asked);
    PyMem_Free(seenr);
    PyMem_Free(ex);
    PyMem_Free(cp);
    PyMem_Free(cst);
    PyMem_Free(cu);
    PyMem_Free(code);
    PyMem_Free(unit);
    return ok ? 0 : -1;
}

/* ---------- the bag of a message's features over a float16 table ---------- */

/* float16 -> float32, exact and branch-free (the exponent rebiased by a multiplication by 2**112, which
 * also normalises subnormals; infinities and NaN get the all-ones exponent) */
static inline float half_to_float(uint16_t h) {
    uint32_t bits = (uint32_t)(h & 0x7FFFu) << 13;
    float f;
    memcpy(&f, &bits, sizeof f);
    f *= 0x1p112f;
    memcpy(&bits, &f, sizeof f);
    bits |= (h & 0x7C00u) == 0x7C00u ? 0x7F800000u : 0u;
    bits |= (uint32_t)(h & 0x8000u) << 16;
    memcpy(&f, &bits, sizeof f);
    return f;
}

typedef struct {
    const uint16_t *table; /* [2**bits, width] float16 */
    Py_ssize_t width;
    int bits;
    Py_ssize_t unit_lo, unit_hi; /* the columns the units' sums read */
    Py_ssize_t msg_lo, msg_hi;   /* ... and the whole-message view's (msg_hi == msg_lo: none) */
} Table;

/* the CPU converts float16 to float32 itself (F16C: eight at a time, exactly as half_to_float does), found
 * once when the module loads */
static int have_f16c = 0;

#define F16C_MAX_WIDTH 64

#ifdef HAVE_X86_F16C
/* out[0 .. w) = the float16 values r[0 .. w) as float32, with F16C (w <= 64) */
__attribute__((target("f16c,avx"))) static void row_to_float(const uint16_t *r, float *out, Py_ssize_t w) {
    Py_ssize_t j = 0;
    for (; j + 8 <= w; j += 8) _mm256_storeu_ps(out + j, _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(r + j))));
    for (; j < w; j++) out[j] = half_to_float(r[j]);
}
#else
static void row_to_float(const uint16_t *r, float *out, Py_ssize_t w) { /* never called: have_f16c stays 0 */
    for (Py_ssize_t j = 0; j < w; j++) out[j] = half_to_float(r[j]);
}
#endif

/* whether this CPU converts float16 with F16C (and has AVX for the 256-bit stores) */
static int cpu_has_f16c(void) {
#ifdef HAVE_X86_F16C
    __builtin_cpu_init();
    return __builtin_cpu_supports("f16c") && __builtin_cpu_supports("avx");
#else
    return 0;
#endif
}

/* units[n_units][unit_hi - unit_lo] and msg[msg_hi - msg_lo] (float32): each unit's distinct features'
 * table rows summed and divided by sqrt(#distinct), and the same over the message's distinct features of
 * the first n_message codes. Follows Model.score_codes: keys (identity, unit-only flag, unit), sorted. */
static int bag(const Table *t, const uint64_t *code, const int64_t *unit_of, Py_ssize_t n, Py_ssize_t n_message,
               Py_ssize_t n_units, float *units, float *msg) {
    const Py_ssize_t uw = t->unit_hi - t->unit_lo, mw = t->msg_hi - t->msg_lo;
    double *acc = PyMem_Calloc((size_t)(n_units * uw + mw + 1), sizeof(double));
    Py_ssize_t *cnt = PyMem_Calloc((size_t)n_units + 1, sizeof(Py_ssize_t));
    /* two hash sets (open addressing, at most half full): the distinct keys, and the distinct identities
     * of the message families; slots hold value + 1, 0 is empty */
    size_t slots = 16;
    while (slots < 2 * (size_t)n + 2) slots *= 2;
    uint64_t *key = PyMem_Malloc(sizeof(uint64_t) * (size_t)(n + 1));
    char *flag = PyMem_Malloc((size_t)n + 1);
    uint64_t *set = PyMem_Calloc(2 * slots, sizeof(uint64_t)), *ids = set + slots;
    if (!acc || !cnt || !key || !flag || !set) {
        PyMem_Free(acc);
        PyMem_Free(cnt);
        PyMem_Free(key);
        PyMem_Free(flag);
        PyMem_Free(set);
        PyErr_NoMemory();
        return -1;
    }
    /* the distinct keys (identity, unit-only flag, unit), each flagged (flag[]) when it is the first of
     * the message families to carry its identity: the whole-message view reads each identity once.
     * Model.score_codes finds the same by sorting; the order of the sums does not matter (float16 rows
     * add up exactly in double for any message under 4,096 distinct features a unit) */
    const int set_shift = 64 - __builtin_ctzll((unsigned long long)slots);
    Py_ssize_t d = 0;
    int seen_max = 0; /* the one key whose slot value would wrap to 0 */
    for (Py_ssize_t i = 0; i < n; i++) {
        uint64_t k = (code[i] >> ID_SHIFT) << ID_SHIFT | ((uint64_t)unit_of[i] | (i >= n_message ? UNIT_ONLY : 0));
        if (k == UINT64_MAX) {
            if (seen_max) continue;
            seen_max = 1;
        } else {
            size_t j = (size_t)((k * 0x9E3779B97F4A7C15ULL) >> set_shift);
            while (set[j] && set[j] != k + 1) j = (j + 1) & (slots - 1);
            if (set[j]) continue; /* seen */
            set[j] = k + 1;
        }
        char first = 0;
        if (i < n_message) {
            uint64_t id = k >> ID_SHIFT;
            size_t q = (size_t)((id * 0x9E3779B97F4A7C15ULL) >> set_shift);
            while (ids[q] && ids[q] != id + 1) q = (q + 1) & (slots - 1);
            if (!ids[q]) {
                ids[q] = id + 1;
                first = 1;
            }
        }
        flag[d] = first;
        key[d++] = k;
    }
    PyMem_Free(set);
    const int shift = 64 - t->bits;
    double *macc = acc + n_units * uw;
    Py_ssize_t m_count = 0;
    const size_t width = (size_t)t->width;
    /* 16 keys ahead: inside a check the table's rows are out of the caches, and 8 ahead left the loop waiting
     * (check with the model / without it 1.210 -> 1.200, 1.208 -> 1.200, 1.237 -> 1.188: same process,
     * interleaved; 12, 24 and 32 ahead measured within 0.003 of 16) */
    enum { AHEAD = 16 };
    const Py_ssize_t hi_col = t->msg_hi > t->unit_hi ? t->msg_hi : t->unit_hi;
    /* F16C converts eight columns at a time: as many as the row holds up to the last one read rounded up to
     * eight (the shipped rows are padded to 32 columns: four conversions, none column by column) */
    const Py_ssize_t conv = (hi_col + 7) / 8 * 8 <= t->width ? (hi_col + 7) / 8 * 8 : hi_col;
    const int f16c = have_f16c && conv <= F16C_MAX_WIDTH;
    for (Py_ssize_t i = 0; i < d && i < AHEAD; i++) {
        const char *p = (const char *)(t->table + (size_t)(key[i] >> shift) * width);
        __builtin_prefetch(p);
        __builtin_prefetch(p + width * 2 - 1);
    }
    for (Py_ssize_t i = 0; i < d; i++) {
        if (i + AHEAD < d) { /* the table is megabytes: fetch the rows a few keys ahead */
            const char *p = (const char *)(t->table + (size_t)(key[i + AHEAD] >> shift) * width);
            __builtin_prefetch(p);
            __builtin_prefetch(p + width * 2 - 1);
        }
        uint64_t k = key[i];
        const uint16_t *row = t->table + (size_t)(k >> shift) * width;
        Py_ssize_t u = (Py_ssize_t)(k & UNIT_MASK);
        if (u >= n_units) continue; /* only for > 8192 units, where the reference mixes units up too */
        cnt[u]++;
        double *a = acc + u * uw;
        if (f16c) { /* the row's columns converted eight at a time, then added in double as below */
            float fr[F16C_MAX_WIDTH];
            row_to_float(row, fr, conv);
            for (Py_ssize_t j = 0; j < uw; j++) a[j] += fr[t->unit_lo + j];
            if (mw && flag[i]) {
                m_count++;
                for (Py_ssize_t j = 0; j < mw; j++) macc[j] += fr[t->msg_lo + j];
            }
            continue;
        }
        const uint16_t *r = row + t->unit_lo;
        for (Py_ssize_t j = 0; j < uw; j++) a[j] += half_to_float(r[j]);
        /* the message view: each identity once, when its first key is of a message family */
        if (mw && flag[i]) {
            m_count++;
            r = row + t->msg_lo;
            for (Py_ssize_t j = 0; j < mw; j++) macc[j] += half_to_float(r[j]);
        }
    }
    for (Py_ssize_t u = 0; u < n_units; u++) {
        float d = sqrtf((float)cnt[u]);
        for (Py_ssize_t j = 0; j < uw; j++) units[u * uw + j] = (float)acc[u * uw + j] / d;
    }
    if (mw) {
        float d = sqrtf((float)m_count);
        for (Py_ssize_t j = 0; j < mw; j++) msg[j] = (float)macc[j] / d;
    }
    PyMem_Free(acc);
    PyMem_Free(cnt);
    PyMem_Free(key);
    PyMem_Free(flag);
    return 0;
}

/* ---------- Python objects ---------- */

static int read_table(PyObject *table, int bits, Py_buffer *buf, Py_ssize_t *width) {
    if (bits < 1 || bits > 30) {
        PyErr_SetString(PyExc_ValueError, "hash_bits must be in 1..30");
        return -1;
    }
    if (PyObject_GetBuffer(table, buf, PyBUF_C_CONTIGUOUS | PyBUF_FORMAT | PyBUF_ND) < 0) return -1;
    if (buf->itemsize != 2 || !buf->format || strcmp(buf->format, "e") != 0 || buf->ndim != 2 ||
        buf->shape[0] != ((Py_ssize_t)1 << bits)) {
        PyBuffer_Release(buf);
        PyErr_SetString(PyExc_ValueError, "table must be a C-contiguous float16 array of shape [2**hash_bits, W]");
        return -1;
    }
    *width = buf->shape[1];
    return 0;
}

typedef struct {
    PyObject_HEAD
    Py_buffer table_buf;
    Table table;
    Py_ssize_t labels;
    float *params; /* bias, platt_a, platt_b, msg_bias, msg_platt_a, msg_platt_b, mix, thresholds: labels each
                    * (a label with no threshold has NaN: never reported) */
    int mixed;     /* any mix > 0: the whole-message view is read */
} Scorer;

static void Scorer_dealloc(Scorer *self) {
    if (self->table_buf.obj) PyBuffer_Release(&self->table_buf);
    PyMem_Free(self->params);
    Py_TYPE(self)->tp_free((PyObject *)self);
}

static int Scorer_init(Scorer *self, PyObject *args, PyObject *kwds) {
    static char *kw[] = {"table", "hash_bits", "labels", "params", NULL};
    /* params: 8 * labels float32 (see Scorer.params) */
    PyObject *table;
    int bits;
    Py_ssize_t labels;
    Py_buffer params;
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "Oiny*", kw, &table, &bits, &labels, &params)) return -1;
    if (self->table_buf.obj) { /* __init__ called again */
        PyBuffer_Release(&self->table_buf);
        PyMem_Free(self->params);
        self->params = NULL;
    }
    int rc = -1;
    Py_ssize_t width;
    if (read_table(table, bits, &self->table_buf, &width) < 0) goto out;
    if (labels < 1 || width < 2 * labels || params.len != (Py_ssize_t)(8 * labels * sizeof(float))) {
        PyErr_SetString(PyExc_ValueError, "the table needs 2 * labels columns and params 8 * labels float32");
        PyBuffer_Release(&self->table_buf);
        goto out;
    }
    if (!(self->params = PyMem_Malloc((size_t)params.len))) {
        PyErr_NoMemory();
        PyBuffer_Release(&self->table_buf);
        goto out;
    }
    memcpy(self->params, params.buf, (size_t)params.len);
    self->labels = labels;
    self->mixed = 0;
    for (Py_ssize_t j = 0; j < labels; j++) self->mixed |= self->params[6 * labels + j] != 0.0f;
    self->table = (Table){(const uint16_t *)self->table_buf.buf, width, bits, 0, labels, labels,
                          self->mixed ? 2 * labels : labels};
    rc = 0;
out:
    PyBuffer_Release(&params);
    return rc;
}

/* probabilities [units, labels] float32 as bytes: the units' calibrated probabilities, mixed with the whole
 * message's where mix says so (Model.score_codes) */
static PyObject *score_feats(Scorer *self, const Feats *f, Py_ssize_t n_units) {
    const Py_ssize_t L = self->labels;
    PyObject *res = PyBytes_FromStringAndSize(NULL, (Py_ssize_t)(n_units * L * sizeof(float)));
    float *msg = PyMem_Malloc(sizeof(float) * (size_t)L);
    if (!res || !msg) {
        Py_XDECREF(res);
        PyMem_Free(msg);
        return PyErr_NoMemory();
    }
    float *p = (float *)PyBytes_AS_STRING(res);
    if (bag(&self->table, f->code, f->unit, f->n, f->n_message, n_units, p, msg) < 0) {
        Py_DECREF(res);
        PyMem_Free(msg);
        return NULL;
    }
    const float *bias = self->params, *pa = bias + L, *pb = pa + L, *mb = pb + L, *ma = mb + L, *mpb = ma + L,
                *mix = mpb + L;
    if (self->mixed)
        for (Py_ssize_t j = 0; j < L; j++) msg[j] = 1.0f / (1.0f + expf(-(ma[j] * (msg[j] + mb[j]) + mpb[j])));
    for (Py_ssize_t u = 0; u < n_units; u++) {
        float *q = p + u * L;
        for (Py_ssize_t j = 0; j < L; j++) {
            float v = 1.0f / (1.0f + expf(-(pa[j] * (q[j] + bias[j]) + pb[j])));
            q[j] = self->mixed ? (1.0f - mix[j]) * v + mix[j] * msg[j] : v;
        }
    }
    PyMem_Free(msg);
    return res;
}

/* the probabilities of one message's inputs (bytes, float32 [units, labels]) */
static PyObject *probs_from(Scorer *self, const Inputs *in) {
    Feats f;
    if (featurise(in, &f) < 0) return NULL;
    PyObject *res = score_feats(self, &f, in->n_units);
    feats_free(&f);
    return res;
}

/* the probabilities of one message, from (tokens, units) or (rows, bounds, starts, chars) */
static PyObject *probs_of(Scorer *self, PyObject *const *args, Py_ssize_t nargs, Py_ssize_t *n_units) {
    Inputs in;
    if (nargs == 2) {
        if (gather_units(args[0], args[1], 0, &in, NULL) < 0) return NULL;
    } else if (nargs == 4) {
        if (read_inputs(args[0], args[1], args[2], args[3], &in) < 0) return NULL;
    } else {
        PyErr_SetString(PyExc_TypeError, "expected (tokens, units) or (rows, bounds, starts, chars)");
        return NULL;
    }
    PyObject *res = probs_from(self, &in);
    *n_units = in.n_units;
    inputs_release(&in);
    return res;
}

static PyObject *Scorer_score(Scorer *self, PyObject *const *args, Py_ssize_t nargs) {
    Py_ssize_t n_units;
    return probs_of(self, args, nargs, &n_units);
}

/* (best, hits) of probabilities [n_units, labels] (bytes, or NULL when there is no unit): best, per label,
 * the message's probability (its most likely unit's; NaN wins, as numpy's max; 0 without a unit); hits,
 * each unit at or above a label's threshold, unit by unit, labels in order, as (unit, label, probability),
 * or (begin, end, label, probability) with the unit's span when tokens and ranges are given */
static PyObject *decide(Scorer *self, PyObject *probs, Py_ssize_t n_units, PyObject *tokens, const Py_ssize_t *ranges) {
    const Py_ssize_t L = self->labels;
    const float *p = probs ? (const float *)PyBytes_AS_STRING(probs) : NULL, *thr = self->params + 7 * L;
    PyObject *best = PyList_New(L), *hits = PyList_New(0), *res = NULL;
    if (!best || !hits) goto out;
    for (Py_ssize_t j = 0; j < L; j++) {
        float b = n_units ? p[j] : 0.0f;
        for (Py_ssize_t u = 1; u < n_units && !isnan(b); u++) {
            float v = p[u * L + j];
            if (isnan(v) || v > b) b = v;
        }
        PyObject *x = PyFloat_FromDouble((double)b);
        if (!x) goto out;
        PyList_SET_ITEM(best, j, x);
    }
    for (Py_ssize_t u = 0; u < n_units; u++)
        for (Py_ssize_t j = 0; j < L; j++) {
            float v = p[u * L + j];
            if (isnan(thr[j]) || v < thr[j]) continue;
            PyObject *hit;
            if (ranges) {
                PyObject *b = slot(PyList_GET_ITEM(tokens, ranges[2 * u]), A_BEGIN);
                PyObject *e = slot(PyList_GET_ITEM(tokens, ranges[2 * u + 1] - 1), A_END);
                hit = b && e ? Py_BuildValue("(OOnd)", b, e, j, (double)v) : NULL;
            } else {
                hit = Py_BuildValue("(nnd)", u, j, (double)v);
            }
            if (!hit || PyList_Append(hits, hit) < 0) {
                Py_XDECREF(hit);
                goto out;
            }
            Py_DECREF(hit);
        }
    res = PyTuple_Pack(2, best, hits);
out:
    Py_XDECREF(best);
    Py_XDECREF(hits);
    return res;
}

/* judge(tokens, units) or judge(rows, bounds, starts, chars) -> (best, hits: (unit, label, probability)) */
static PyObject *Scorer_judge(Scorer *self, PyObject *const *args, Py_ssize_t nargs) {
    Py_ssize_t n_units;
    PyObject *probs = probs_of(self, args, nargs, &n_units);
    if (!probs) return NULL;
    PyObject *res = decide(self, probs, n_units, NULL, NULL);
    Py_DECREF(probs);
    return res;
}

/* judge_sentences(tokens, sentences) -> (best, hits: (begin, end, label, probability)): the units are the
 * sentences less their spaces (features.units), read here; a message without one has best 0 */
static PyObject *Scorer_judge_sentences(Scorer *self, PyObject *const *args, Py_ssize_t nargs) {
    if (nargs != 2) {
        PyErr_SetString(PyExc_TypeError, "judge_sentences(tokens, sentences)");
        return NULL;
    }
    Py_ssize_t n_units, *ranges = unit_ranges(args[0], args[1], 1, &n_units);
    if (!ranges) return NULL;
    /* a copy of the list: the tokens stay alive and in place whatever Python runs meanwhile */
    PyObject *tokens = PyList_GetSlice(args[0], 0, PyList_GET_SIZE(args[0])), *probs = NULL, *res = NULL;
    if (!tokens) goto out;
    if (n_units) {
        Inputs in;
        if (gather(tokens, ranges, n_units, &in) < 0) goto out;
        probs = probs_from(self, &in);
        inputs_release(&in);
        if (!probs) goto out;
    }
    res = decide(self, probs, n_units, tokens, ranges);
out:
    Py_XDECREF(tokens);
    Py_XDECREF(probs);
    PyMem_Free(ranges);
    return res;
}

static PyMethodDef Scorer_methods[] = {
    {"score", (PyCFunction)(void (*)(void))Scorer_score, METH_FASTCALL,
     "score(tokens, units) or score(rows, bounds, starts, chars) -> bytes: float32 probabilities"
     " [units, labels] of one message"},
    {"judge_sentences", (PyCFunction)(void (*)(void))Scorer_judge_sentences, METH_FASTCALL,
     "judge_sentences(tokens, sentences) -> (best, hits): as judge, the units read from the sentences, each hit"
     " as (begin, end, label, probability)"},
    {"judge", (PyCFunction)(void (*)(void))Scorer_judge, METH_FASTCALL,
     "judge(tokens, units) or judge(rows, bounds, starts, chars) -> (best, hits): per label the message's probability; (unit, label,"
     " probability) of each unit at or above a label's threshold"},
    {NULL, NULL, 0, NULL},
};

static PyTypeObject ScorerType = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "nakanaori.check.learned._native.Scorer",
    .tp_basicsize = sizeof(Scorer),
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "Scorer(table, hash_bits, labels, params): the model's per-message scoring in one call",
    .tp_new = PyType_GenericNew,
    .tp_init = (initproc)Scorer_init,
    .tp_dealloc = (destructor)Scorer_dealloc,
    .tp_methods = Scorer_methods,
};

static PyObject *py_configure(PyObject *mod, PyObject *arg) {
    (void)mod;
    Py_buffer b;
    if (PyObject_GetBuffer(arg, &b, PyBUF_SIMPLE) < 0) return NULL;
    if (b.len != (Py_ssize_t)sizeof K) {
        PyBuffer_Release(&b);
        return PyErr_Format(PyExc_ValueError, "configure: expected %d uint64 constants", (int)N_CONST);
    }
    memcpy(K, b.buf, sizeof K);
    configured = 1;
    PyBuffer_Release(&b);
    Py_RETURN_NONE;
}

/* configure_tokens(Token, make_row): where Token keeps its attributes, and how a row is made on a miss */
static PyObject *py_configure_tokens(PyObject *mod, PyObject *args) {
    (void)mod;
    PyObject *type, *fn;
    if (!PyArg_ParseTuple(args, "O!O", &PyType_Type, &type, &fn)) return NULL;
    if (!PyCallable_Check(fn)) {
        PyErr_SetString(PyExc_TypeError, "make_row must be callable");
        return NULL;
    }
    Py_ssize_t offsets[N_ATTR];
    for (int a = 0; a < N_ATTR; a++) {
        PyObject *d = PyObject_GetAttrString(type, attr_names[a]);
        if (!d) return NULL;
        int ok = Py_IS_TYPE(d, &PyMemberDescr_Type) && ((PyMemberDescrObject *)d)->d_member->type == T_OBJECT_EX;
        if (ok) offsets[a] = ((PyMemberDescrObject *)d)->d_member->offset;
        Py_DECREF(d);
        if (!ok) return PyErr_Format(PyExc_TypeError, "%s must be a slot of the token type", attr_names[a]);
    }
    if (!str_start_token && !(str_start_token = PyUnicode_InternFromString("start_token"))) return NULL;
    if (!str_end_token && !(str_end_token = PyUnicode_InternFromString("end_token"))) return NULL;
    memcpy(attr_offset, offsets, sizeof offsets);
    Py_INCREF(type);
    Py_XSETREF(token_type, (PyTypeObject *)type);
    Py_INCREF(fn);
    Py_XSETREF(make_row, fn);
    row_table_clear(); /* rows of another make_row */
    Py_RETURN_NONE;
}

/* configure_rows(constants, roles, pron, function_pos, commas, reason, contrast, qend, ka_no, particles, symbol,
 * pronoun): what features._token_row reads of features.py (features.native_row_spec); from then on a token
 * seen for the first time gets its row here, not from make_row */
static PyObject *py_configure_rows(PyObject *mod, PyObject *args) {
    (void)mod;
    PyObject *consts, *roles, *function, *sets[N_SETS], *symbol, *pronoun;
    unsigned long long pron;
    if (!PyArg_ParseTuple(args, "SO!KO!O!O!O!O!O!O!UU", &consts, &PyDict_Type, &roles, &pron, &PyTuple_Type, &function,
                          &PyFrozenSet_Type, &sets[0], &PyFrozenSet_Type, &sets[1], &PyFrozenSet_Type, &sets[2],
                          &PyFrozenSet_Type, &sets[3], &PyFrozenSet_Type, &sets[4], &PyFrozenSet_Type, &sets[5], &symbol,
                          &pronoun))
        return NULL;
    if (PyBytes_GET_SIZE(consts) != (Py_ssize_t)(sizeof(uint64_t) * (N_RCONST - 1))) {
        return PyErr_Format(PyExc_ValueError, "configure_rows: expected %d uint64 multipliers", (int)(N_RCONST - 1));
    }
    for (Py_ssize_t q = 0; q < PyTuple_GET_SIZE(function); q++)
        if (!PyUnicode_Check(PyTuple_GET_ITEM(function, q))) {
            PyErr_SetString(PyExc_TypeError, "configure_rows: function_pos must be a tuple of str");
            return NULL;
        }
    memcpy(RK, PyBytes_AS_STRING(consts), sizeof(uint64_t) * (N_RCONST - 1));
    RK[R_PRON] = (uint64_t)pron;
    Py_INCREF(roles);
    Py_XSETREF(row_roles, roles);
    Py_INCREF(function);
    Py_XSETREF(row_function, function);
    for (int k = 0; k < N_SETS; k++) {
        Py_INCREF(sets[k]);
        Py_XSETREF(row_sets[k], sets[k]);
    }
    Py_INCREF(symbol);
    Py_XSETREF(str_symbol, symbol);
    Py_INCREF(pronoun);
    Py_XSETREF(str_pronoun, pronoun);
    rows_native = 1;
    row_table_clear(); /* rows of make_row */
    Py_RETURN_NONE;
}

/* token_row(lemma, surface, pos1, cform, scope) -> bytes: the row computed here (for the tests: it must be
 * features._token_row's) */
static PyObject *py_token_row(PyObject *mod, PyObject *args) {
    (void)mod;
    PyObject *lemma, *surface, *pos1, *cform;
    long scope;
    if (!PyArg_ParseTuple(args, "OOOOl", &lemma, &surface, &pos1, &cform, &scope)) return NULL;
    if (!rows_native) {
        PyErr_SetString(PyExc_RuntimeError, "_native.configure_rows() was not called");
        return NULL;
    }
    uint64_t row[ROW_WIDTH];
    if (compute_row(lemma, surface, pos1, cform, scope, row) < 0) return NULL;
    return PyBytes_FromStringAndSize((const char *)row, sizeof row);
}

/* use_f16c(on) -> bool: whether the float16 rows were converted with F16C before; on (where the CPU has it)
 * or off (the portable conversion), for the tests of both paths */
static PyObject *py_use_f16c(PyObject *mod, PyObject *arg) {
    (void)mod;
    int on = PyObject_IsTrue(arg);
    if (on < 0) return NULL;
    int before = have_f16c;
    have_f16c = on && cpu_has_f16c();
    return PyBool_FromLong(before);
}

/* string_id(s) -> int: features.string_id computed here (BLAKE2b-64 of the UTF-8 bytes) */
static PyObject *py_string_id(PyObject *mod, PyObject *arg) {
    (void)mod;
    if (!PyUnicode_Check(arg)) {
        PyErr_SetString(PyExc_TypeError, "string_id needs a str");
        return NULL;
    }
    uint64_t v;
    if (ids_of(NULL, arg, -1, NULL, NULL, &v) < 0) return NULL;
    return PyLong_FromUnsignedLongLong(v);
}

static PyObject *list_of(const Py_ssize_t *v, Py_ssize_t n) {
    PyObject *out = PyList_New(n);
    if (!out) return NULL;
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *x = PyLong_FromSsize_t(v[i]);
        if (!x) {
            Py_DECREF(out);
            return NULL;
        }
        PyList_SET_ITEM(out, i, x);
    }
    return out;
}

/* gather(tokens, units) -> (rows, bounds, starts, chars): what features.native_inputs returns, read here */
static PyObject *py_gather(PyObject *mod, PyObject *const *args, Py_ssize_t nargs) {
    (void)mod;
    if (nargs != 2) {
        PyErr_SetString(PyExc_TypeError, "gather(tokens, units)");
        return NULL;
    }
    Inputs in;
    if (gather_units(args[0], args[1], 0, &in, NULL) < 0) return NULL;
    PyObject *b = list_of(in.bounds, in.n_units + 1), *st = list_of(in.starts, in.n_clauses + 1);
    PyObject *ch = PyUnicode_FromKindAndData(PyUnicode_4BYTE_KIND, in.chars, in.m), *res = NULL;
    if (b && st && ch)
        res = Py_BuildValue("(y#OOO)", (const char *)in.rows, (Py_ssize_t)(in.n * ROW_WIDTH * 8), b, st, ch);
    Py_XDECREF(b);
    Py_XDECREF(st);
    Py_XDECREF(ch);
    inputs_release(&in);
    return res;
}

/* row_table_size() -> (kinds of token kept, slots): for tests and the leak check */
static PyObject *py_row_table_size(PyObject *mod, PyObject *noargs) {
    (void)mod;
    (void)noargs;
    return Py_BuildValue("(nn)", (Py_ssize_t)row_used, (Py_ssize_t)row_cap);
}

/* codes(rows, bounds, starts, chars) -> (codes bytes uint64, units bytes int64, n_message) */
static PyObject *py_codes(PyObject *mod, PyObject *const *args, Py_ssize_t nargs) {
    (void)mod;
    if (nargs != 4) {
        PyErr_SetString(PyExc_TypeError, "codes(rows, bounds, starts, chars)");
        return NULL;
    }
    Inputs in;
    if (read_inputs(args[0], args[1], args[2], args[3], &in) < 0) return NULL;
    Feats f;
    PyObject *res = NULL;
    if (featurise(&in, &f) == 0) {
        res = Py_BuildValue("(y#y#n)", (const char *)f.code, (Py_ssize_t)(f.n * 8), (const char *)f.unit,
                            (Py_ssize_t)(f.n * 8), f.n_message);
        feats_free(&f);
    }
    inputs_release(&in);
    return res;
}

/* bag(codes, unit_of, n_units, n_message, hash_bits, table, unit_cols, msg_cols) -> (units bytes, msg bytes) */
static PyObject *py_bag(PyObject *mod, PyObject *args) {
    (void)mod;
    Py_buffer cb, ub;
    Py_ssize_t n_units, n_message, ulo, uhi, mlo, mhi;
    int bits;
    PyObject *table;
    if (!PyArg_ParseTuple(args, "y*y*nniO(nn)(nn)", &cb, &ub, &n_units, &n_message, &bits, &table, &ulo, &uhi, &mlo,
                          &mhi))
        return NULL;
    PyObject *res = NULL, *units = NULL, *msg = NULL;
    Py_buffer tb = {0};
    Py_ssize_t width, n = cb.len / 8;
    if (cb.len % 8 || ub.len != cb.len) {
        PyErr_SetString(PyExc_ValueError, "codes (uint64) and unit_of (int64) must have the same length");
        goto out;
    }
    if (n_units < 0 || n_message < 0 || n_message > n) {
        PyErr_SetString(PyExc_ValueError, "n_units and n_message out of range");
        goto out;
    }
    const int64_t *uo = (const int64_t *)ub.buf;
    for (Py_ssize_t i = 0; i < n; i++)
        if (uo[i] < 0 || uo[i] >= n_units || uo[i] > (int64_t)UNIT_MASK) {
            PyErr_SetString(PyExc_ValueError, "unit_of: a unit out of range (0 .. min(n_units, 8192) - 1)");
            goto out;
        }
    if (read_table(table, bits, &tb, &width) < 0) goto out;
    if (ulo < 0 || uhi < ulo || uhi > width || mlo < 0 || mhi < mlo || mhi > width) {
        PyErr_SetString(PyExc_ValueError, "column ranges outside the table");
        goto out;
    }
    Table t = {(const uint16_t *)tb.buf, width, bits, ulo, uhi, mlo, mhi};
    units = PyBytes_FromStringAndSize(NULL, (Py_ssize_t)(n_units * (uhi - ulo) * sizeof(float)));
    msg = PyBytes_FromStringAndSize(NULL, (Py_ssize_t)((mhi - mlo) * sizeof(float)));
    if (!units || !msg) goto out;
    if (bag(&t, (const uint64_t *)cb.buf, uo, n, n_message, n_units, (float *)PyBytes_AS_STRING(units),
            (float *)PyBytes_AS_STRING(msg)) < 0)
        goto out;
    res = PyTuple_Pack(2, units, msg);
out:
    Py_XDECREF(units);
    Py_XDECREF(msg);
    if (tb.obj) PyBuffer_Release(&tb);
    PyBuffer_Release(&cb);
    PyBuffer_Release(&ub);
    return res;
}

static PyMethodDef methods[] = {
    {"configure", py_configure, METH_O, "configure(constants: bytes): the family multipliers (native_constants)"},
    {"configure_tokens", py_configure_tokens, METH_VARARGS,
     "configure_tokens(Token, make_row): the token type (its slots are read directly) and the row of a key on a miss"},
    {"gather", (PyCFunction)(void (*)(void))py_gather, METH_FASTCALL,
     "gather(tokens, units) -> (rows, bounds, starts, chars): as features.native_inputs"},
    {"row_table_size", py_row_table_size, METH_NOARGS, "row_table_size() -> (token kinds kept, slots)"},
    {"configure_rows", py_configure_rows, METH_VARARGS,
     "configure_rows(constants, roles, pron, function_pos, commas, reason, contrast, qend, ka_no, particles, symbol,"
     " pronoun): compute a new token's row here (features.native_row_spec)"},
    {"token_row", py_token_row, METH_VARARGS, "token_row(lemma, surface, pos1, cform, scope) -> bytes: as features.token_row"},
    {"string_id", py_string_id, METH_O, "string_id(s) -> int: as features.string_id"},
    {"use_f16c", py_use_f16c, METH_O,
     "use_f16c(on) -> bool (the setting before): float16 rows converted with F16C where the CPU has it, or not"},
    {"codes", (PyCFunction)(void (*)(void))py_codes, METH_FASTCALL,
     "codes(rows, bounds, starts, chars) -> (codes, unit_of, n_message): as features.codes()"},
    {"bag", py_bag, METH_VARARGS,
     "bag(codes, unit_of, n_units, n_message, hash_bits, table, (unit_lo, unit_hi), (msg_lo, msg_hi))"
     " -> (units, msg): float32 bytes, per unit and for the whole message, table rows summed over distinct"
     " features' buckets / sqrt(#distinct)"},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "_native", "The learned model's per-message native call.",
                                    -1, methods, NULL, NULL, NULL, NULL};

PyMODINIT_FUNC PyInit__native(void) {
    have_f16c = cpu_has_f16c();
    if (PyType_Ready(&ScorerType) < 0) return NULL;
    PyObject *m = PyModule_Create(&module);
    if (!m) return NULL;
    Py_INCREF(&ScorerType);
    if (PyModule_AddObject(m, "Scorer", (PyObject *)&ScorerType) < 0) {
        Py_DECREF(&ScorerType);
        Py_DECREF(m);
        return NULL;
    }
    PyModule_AddIntConstant(m, "ROW_WIDTH", ROW_WIDTH);
    return m;
}

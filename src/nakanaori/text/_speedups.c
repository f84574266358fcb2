/* The per-token loops of the analysis and of the rule engine's prefilter, in C (issue 12).

   Each function here has a Python reference it must equal, which stays the fallback when this module is not
   built (tests/text/test_speedups.py proves both equal on every labelled set and on fuzzed texts):

   append_tokens  nakanaori.text.tokenizer._append_tokens  Sudachi morphemes -> Token objects
   bit_tables     nakanaori.check.engine._py_bit_tables     a message's values with their positions (bit masks)
   survivors      nakanaori.check.engine._py_survivors      the clause bits a message satisfies, the woken patterns
   keep_starts    nakanaori.check.engine._py_keep_starts    the starts where a pattern matches up to the end
   keep_all       nakanaori.check.engine._py_keep_all       keep_starts on every surviving pattern of a message
   split          nakanaori.text.analysis._split            sentences, clauses, the quote scope, in one pass
   mark_negation  nakanaori.text.analysis._mark_negation    the negated predicates
   has_words      nakanaori.check.notes._py_has_words       words in order in one of the sender's sentences
   Matcher        nakanaori.check.compiled.reference_functions  one pattern's first end and every end, interpreted

   Nothing here knows a rule, a word or a label: the data comes from the callers. */

#define PY_SSIZE_T_CLEAN
#include <Python.h>


#include <structmember.h> /* T_OBJECT_EX, READONLY */

static PyObject *str_surface, *str_word_id, *str_ta, *str_aux;
static PyObject *str_mask, *str_offsets, *str_ri, *str_pi;
static PyObject *str_lemma, *str_norm, *str_pos1, *str_text;
static PyObject *str_symbol, *str_space, *str_noun, *str_conj_particle, *str_suru, *str_te, *str_de;

/* ------------------------------------------------------------------ slots by offset */

/* Slots read and written at their offsets, as the interpreter's own LOAD_ATTR_SLOT does (a generic getattr costs
   several times more): the offsets of a class's member descriptors, resolved once per class. An object of any
   other class is read with a plain getattr. */
#define MAX_SLOTS 24
typedef struct {
    PyTypeObject *type; /* a strong reference, or NULL */
    Py_ssize_t off[MAX_SLOTS];
} SlotMap;

static int slotmap_resolve(SlotMap *sm, PyTypeObject *type, const char *const *names, int n)
{
    if (sm->type == type)
        return 0;
    Py_ssize_t off[MAX_SLOTS];
    for (int k = 0; k < n && k < MAX_SLOTS; k++) {
        PyObject *d = PyObject_GetAttrString((PyObject *)type, names[k]);
        int ok = d != NULL && Py_IS_TYPE(d, &PyMemberDescr_Type) &&
                 ((PyMemberDescrObject *)d)->d_member->type == T_OBJECT_EX &&
                 !(((PyMemberDescrObject *)d)->d_member->flags & READONLY);
        if (ok)
            off[k] = ((PyMemberDescrObject *)d)->d_member->offset;
        Py_XDECREF(d);
        if (!ok) {
            if (!PyErr_Occurred() || PyErr_ExceptionMatches(PyExc_AttributeError)) {
                PyErr_Clear();
                PyErr_Format(PyExc_TypeError, "%s.%s is not a slot", type->tp_name, names[k]);
            }
            return -1;
        }
    }
    Py_XDECREF(sm->type);
    Py_INCREF(type);
    sm->type = type;
    for (int k = 0; k < n && k < MAX_SLOTS; k++)
        sm->off[k] = off[k];
    return 0;
}

/* a new reference to obj.<names[k]>: at the slot's offset for an object of the map's class (resolved on the first
   object of a new class), else getattr; AttributeError for an unset slot, as getattr */
static PyObject *read_attr(SlotMap *sm, PyObject *obj, int k, PyObject *name, const char *const *names, int n)
{
    if (Py_TYPE(obj) != sm->type && slotmap_resolve(sm, Py_TYPE(obj), names, n) < 0) {
        PyErr_Clear();
        return PyObject_GetAttr(obj, name);
    }
    PyObject *v = *(PyObject **)((char *)obj + sm->off[k]);
    if (v == NULL) {
        PyErr_SetObject(PyExc_AttributeError, name);
        return NULL;
    }
    Py_INCREF(v);
    return v;
}

/* ------------------------------------------------------------------ append_tokens */

enum {
    S_SURFACE, S_BEGIN, S_END, S_LEMMA, S_NORM, S_POS, S_POS_STR, S_POS1, S_CTYPE, S_CFORM,
    S_QUOTE, S_REPORTED, S_REQUEST, S_NEGATED, S_OTHER, S_OWN_QUOTE, S_RAW, N_SLOTS
};
static const char *const slot_names[N_SLOTS] = {
    "surface", "begin", "end", "lemma", "norm", "pos", "pos_str", "pos1", "ctype", "cform",
    "quote", "reported", "request", "negated", "other", "own_quote", "_raw",
};
static SlotMap maker = {NULL, {0}}; /* the class tokens are made of */

/* slot k of a new object (NULL: it was just allocated) takes a new reference to value */
static inline void set_new_slot(PyObject *obj, int k, PyObject *value)
{
    PyObject **at = (PyObject **)((char *)obj + maker.off[k]);
    Py_INCREF(value);
    Py_XSETREF(*at, value);
}

/* The past auxiliary after a nasal stem (norm た, 助動詞): Token.__init__ gives it a lemma of its own, so
   such a token is made by the class itself. */
static int is_past_aux(PyObject *norm, PyObject *pos1)
{
    return PyUnicode_Check(norm) && PyUnicode_GET_LENGTH(norm) == 1 && PyUnicode_Compare(norm, str_ta) == 0 &&
           PyUnicode_Check(pos1) && PyUnicode_Compare(pos1, str_aux) == 0;
}

static PyObject *make_token(PyTypeObject *cls, PyObject *surface, PyObject *word, Py_ssize_t begin, Py_ssize_t end)
{
    /* word: (lemma, norm, pos, pos_str, pos1, ctype, cform) */
    if (!PyTuple_CheckExact(word) || PyTuple_GET_SIZE(word) != 7) {
        PyErr_SetString(PyExc_TypeError, "a word is a tuple of 7 fields");
        return NULL;
    }
    if (is_past_aux(PyTuple_GET_ITEM(word, 1), PyTuple_GET_ITEM(word, 4)))
        return PyObject_CallFunction((PyObject *)cls, "OOnn", surface, word, begin, end);
    PyObject *tok = cls->tp_alloc(cls, 0);
    if (tok == NULL)
        return NULL;
    PyObject *b = PyLong_FromSsize_t(begin);
    PyObject *e = PyLong_FromSsize_t(end);
    if (b == NULL || e == NULL) {
        Py_XDECREF(b);
        Py_XDECREF(e);
        Py_DECREF(tok);
        return NULL;
    }
    set_new_slot(tok, S_SURFACE, surface);
    set_new_slot(tok, S_BEGIN, b);
    set_new_slot(tok, S_END, e);
    static const int word_slots[7] = {S_LEMMA, S_NORM, S_POS, S_POS_STR, S_POS1, S_CTYPE, S_CFORM};
    for (int k = 0; k < 7; k++)
        set_new_slot(tok, word_slots[k], PyTuple_GET_ITEM(word, k));
    for (int k = S_QUOTE; k <= S_OWN_QUOTE; k++)
        set_new_slot(tok, k, Py_False);
    set_new_slot(tok, S_RAW, Py_None);
    Py_DECREF(b);
    Py_DECREF(e);
    /* A token holds strings, numbers, a tuple of strings, booleans and None (later also its sentence and clause
       numbers and scope flags): it can never be part of a reference cycle, so the garbage collector need not
       visit it (the many tokens of each message would otherwise be walked by every young collection). */
    PyObject_GC_UnTrack(tok);
    return tok;
}

/* append_tokens(morphemes, out, cls, words, miss, at) -> at after the last morpheme */
static PyObject *append_tokens(PyObject *Py_UNUSED(self), PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs != 6) {
        PyErr_SetString(PyExc_TypeError, "append_tokens(morphemes, out, cls, words, miss, at)");
        return NULL;
    }
    PyObject *ms = args[0], *out = args[1], *cls = args[2], *words = args[3], *miss = args[4];
    if (!PyList_Check(out) || !PyType_Check(cls) || !PyDict_Check(words)) {
        PyErr_SetString(PyExc_TypeError, "append_tokens: out is a list, cls a class, words a dict");
        return NULL;
    }
    Py_ssize_t at = PyLong_AsSsize_t(args[5]);
    if (at == -1 && PyErr_Occurred())
        return NULL;
    if (slotmap_resolve(&maker, (PyTypeObject *)cls, slot_names, N_SLOTS) < 0)
        return NULL;
    PyObject *it = PyObject_GetIter(ms);
    if (it == NULL)
        return NULL;
    PyObject *m;
    while ((m = PyIter_Next(it)) != NULL) {
        PyObject *surface = PyObject_CallMethodNoArgs(m, str_surface);
        PyObject *wid = surface ? PyObject_CallMethodNoArgs(m, str_word_id) : NULL;
        PyObject *word = NULL, *tok = NULL;
        if (wid != NULL) {
            word = PyDict_GetItemWithError(words, wid);
            if (word != NULL)
                Py_INCREF(word);
            else if (!PyErr_Occurred())
                word = PyObject_CallFunctionObjArgs(miss, m, wid, NULL);
        }
        if (word != NULL && !PyUnicode_Check(surface))
            PyErr_SetString(PyExc_TypeError, "a surface is a str");
        else if (word != NULL) {
            Py_ssize_t end = at + PyUnicode_GET_LENGTH(surface);
            tok = make_token((PyTypeObject *)cls, surface, word, at, end);
            at = end;
        }
        int bad = tok == NULL || PyList_Append(out, tok) < 0;
        Py_XDECREF(tok);
        Py_XDECREF(word);
        Py_XDECREF(wid);
        Py_XDECREF(surface);
        Py_DECREF(m);
        if (bad) {
            Py_DECREF(it);
            return NULL;
        }
    }
    Py_DECREF(it);
    if (PyErr_Occurred())
        return NULL;
    return PyLong_FromSsize_t(at);
}

/* ------------------------------------------------------------------ bit_tables */

/* d[v] |= bit when v is in known */
static int or_into(PyObject *d, PyObject *known, PyObject *v, PyObject *bit)
{
    int has = PyDict_Contains(known, v);
    if (has <= 0)
        return has;
    PyObject *old = PyDict_GetItemWithError(d, v);
    if (old == NULL) {
        if (PyErr_Occurred())
            return -1;
        return PyDict_SetItem(d, v, bit);
    }
    PyObject *now = PyNumber_Or(old, bit);
    if (now == NULL)
        return -1;
    int r = PyDict_SetItem(d, v, now);
    Py_DECREF(now);
    return r;
}

static const char *const token_field_names[4] = {"surface", "lemma", "norm", "pos1"};
static SlotMap token_fields = {NULL, {0}};
static PyObject *bit_ints[64]; /* 1 << k */

static PyObject *bit_int(Py_ssize_t k)
{
    if (k < 64) {
        Py_INCREF(bit_ints[k]);
        return bit_ints[k];
    }
    PyObject *one = PyLong_FromLong(1), *shift = PyLong_FromSsize_t(k);
    PyObject *bit = one && shift ? PyNumber_Lshift(one, shift) : NULL;
    Py_XDECREF(one);
    Py_XDECREF(shift);
    return bit;
}

/* bit_tables for at most 64 tokens: per field, the distinct known values in the order they first occur, each with
   its mask in a machine word (one lookup in the known dict per token and field; a value is told from the others by
   its entry in the known dict, then by its text), put in the tables at the end */
typedef struct {
    PyObject *hit; /* borrowed: known[v] */
    PyObject *key; /* a new reference to v */
    unsigned long long mask;
} Acc;

static int bit_tables_short(PyObject *tokens, PyObject *const *known, PyObject *const *attrs, PyObject *res)
{
    Acc acc[4][64];
    int nacc[4] = {0, 0, 0, 0};
    int rc = -1;
    Py_ssize_t n = PyList_GET_SIZE(tokens);
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *t = PyList_GET_ITEM(tokens, i);
        for (int f = 0; f < 4; f++) {
            if (PyDict_GET_SIZE(known[f]) == 0)
                continue;
            PyObject *v = read_attr(&token_fields, t, f, attrs[f], token_field_names, 4);
            if (v == NULL)
                goto done;
            PyObject *hit = PyDict_GetItemWithError(known[f], v);
            if (hit == NULL) {
                Py_DECREF(v);
                if (PyErr_Occurred())
                    goto done;
                continue;
            }
            int j = 0;
            for (; j < nacc[f]; j++) {
                if (acc[f][j].hit != hit)
                    continue;
                int eq = acc[f][j].key == v ? 1 : PyObject_RichCompareBool(acc[f][j].key, v, Py_EQ);
                if (eq < 0) {
                    Py_DECREF(v);
                    goto done;
                }
                if (eq)
                    break;
            }
            if (j < nacc[f]) {
                acc[f][j].mask |= 1ULL << i;
                Py_DECREF(v);
            }
            else { /* at most one new value per token and field: never more than 64 */
                acc[f][j].hit = hit;
                acc[f][j].key = v;
                acc[f][j].mask = 1ULL << i;
                nacc[f]++;
            }
        }
    }
    for (int f = 0; f < 4; f++)
        for (int j = 0; j < nacc[f]; j++) {
            PyObject *m = PyLong_FromUnsignedLongLong(acc[f][j].mask);
            if (m == NULL || PyDict_SetItem(PyTuple_GET_ITEM(res, f), acc[f][j].key, m) < 0) {
                Py_XDECREF(m);
                goto done;
            }
            Py_DECREF(m);
        }
    rc = 0;
done:
    for (int f = 0; f < 4; f++)
        for (int j = 0; j < nacc[f]; j++)
            Py_DECREF(acc[f][j].key);
    return rc;
}

/* bit_tables(tokens, ks, kl, kn, kp) -> (s, lemma, norm, pos1): for each of the four fields, the values of
   the tokens that are keys of the known dict, each with the OR of 1 << position of the tokens holding it */
static PyObject *bit_tables(PyObject *Py_UNUSED(self), PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs != 5 || !PyList_Check(args[0])) {
        PyErr_SetString(PyExc_TypeError, "bit_tables(tokens: list, ks, kl, kn, kp)");
        return NULL;
    }
    PyObject *tokens = args[0];
    PyObject *known[4] = {args[1], args[2], args[3], args[4]};
    PyObject *attrs[4] = {str_surface, str_lemma, str_norm, str_pos1};
    for (int f = 0; f < 4; f++)
        if (!PyDict_Check(known[f])) {
            PyErr_SetString(PyExc_TypeError, "bit_tables: the known values are dicts");
            return NULL;
        }
    PyObject *res = PyTuple_New(4);
    if (res == NULL)
        return NULL;
    for (int f = 0; f < 4; f++) {
        PyObject *d = PyDict_New();
        if (d == NULL) {
            Py_DECREF(res);
            return NULL;
        }
        PyTuple_SET_ITEM(res, f, d);
    }
    Py_ssize_t n = PyList_GET_SIZE(tokens);
    if (n <= 64) { /* the usual message: the masks in machine words, one dict entry per distinct value */
        if (bit_tables_short(tokens, known, attrs, res) < 0) {
            Py_DECREF(res);
            return NULL;
        }
        return res;
    }
    PyObject *one = PyLong_FromLong(1);
    if (one == NULL) {
        Py_DECREF(res);
        return NULL;
    }
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *t = PyList_GET_ITEM(tokens, i);
        PyObject *bit = bit_int(i);
        if (bit == NULL)
            goto fail;
        for (int f = 0; f < 4; f++) {
            if (PyDict_GET_SIZE(known[f]) == 0)
                continue;
            PyObject *v = read_attr(&token_fields, t, f, attrs[f], token_field_names, 4);
            int r = v == NULL ? -1 : or_into(PyTuple_GET_ITEM(res, f), known[f], v, bit);
            Py_XDECREF(v);
            if (r < 0) {
                Py_DECREF(bit);
                goto fail;
            }
        }
        Py_DECREF(bit);
    }
    Py_DECREF(one);
    return res;
fail:
    Py_DECREF(one);
    Py_DECREF(res);
    return NULL;
}

/* ------------------------------------------------------------------ survivors */

static int mask_holds(PyObject *mask, PyObject *sat)
{
#if PY_VERSION_HEX < 0x030C0000 /* CPython 3.11's ints: sign and size in ob_size, then the digits */
    if (PyLong_CheckExact(mask) && PyLong_CheckExact(sat) && Py_SIZE(mask) >= 0 && Py_SIZE(sat) >= 0) {
        Py_ssize_t nm = Py_SIZE(mask);
        if (nm > Py_SIZE(sat))
            return 0; /* the mask's top digit is not 0, and sat has none there */
        const digit *dm = ((PyLongObject *)mask)->ob_digit, *ds = ((PyLongObject *)sat)->ob_digit;
        for (Py_ssize_t k = 0; k < nm; k++)
            if (dm[k] & ~ds[k])
                return 0;
        return 1;
    }
#endif
    PyObject *both = PyNumber_And(mask, sat);
    if (both == NULL)
        return -1;
    int r = PyObject_RichCompareBool(both, mask, Py_EQ);
    Py_DECREF(both);
    return r;
}

/* out[ri][pi] = starts (OR with what is there when ``merge``) */
static int put_start(PyObject *out, PyObject *ri, PyObject *pi, PyObject *starts, int merge)
{
    PyObject *found = PyDict_GetItemWithError(out, ri);
    if (found == NULL) {
        if (PyErr_Occurred())
            return -1;
        found = PyDict_New();
        if (found == NULL)
            return -1;
        int r = PyDict_SetItem(out, ri, found);
        Py_DECREF(found); /* out holds it */
        if (r < 0)
            return -1;
    }
    if (merge) {
        PyObject *old = PyDict_GetItemWithError(found, pi);
        if (old != NULL) {
            PyObject *now = PyNumber_Or(old, starts);
            if (now == NULL)
                return -1;
            int r = PyDict_SetItem(found, pi, now);
            Py_DECREF(now);
            return r;
        }
        if (PyErr_Occurred())
            return -1;
    }
    return PyDict_SetItem(found, pi, starts);
}

static const char *const entry_field_names[4] = {"mask", "offsets", "ri", "pi"};
static SlotMap entry_fields = {NULL, {0}};
#define ENTRY(e, k, name) read_attr(&entry_fields, (e), (k), (name), entry_field_names, 4)

/* survivors(tables, values, re_tests, analysis, always) -> (sat, {rule number: {pattern number: starts}}) */
static PyObject *survivors(PyObject *Py_UNUSED(self), PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs != 5 || !PyDict_Check(args[0]) || !PyDict_Check(args[1])) {
        PyErr_SetString(PyExc_TypeError, "survivors(tables: dict, values: dict, re_tests, analysis, always)");
        return NULL;
    }
    PyObject *tables = args[0], *values = args[1], *re_tests = args[2], *analysis = args[3], *always = args[4];
    PyObject *sat = PyLong_FromLong(0);
    PyObject *woken = PyList_New(0);
    PyObject *out = PyDict_New();
    PyObject *minus_one = PyLong_FromLong(-1);
    PyObject *zero = PyLong_FromLong(0);
    PyObject *seq = NULL;
    if (sat == NULL || woken == NULL || out == NULL || minus_one == NULL || zero == NULL)
        goto fail;
    Py_ssize_t pos = 0;
    PyObject *fld, *table;
    while (PyDict_Next(tables, &pos, &fld, &table)) {
        PyObject *kn = PyDict_GetItemWithError(values, fld);
        if (kn == NULL) {
            if (!PyErr_Occurred())
                PyErr_SetObject(PyExc_KeyError, fld);
            goto fail;
        }
        Py_ssize_t p2 = 0;
        PyObject *v, *where;
        while (PyDict_Next(table, &p2, &v, &where)) {
            PyObject *hit = PyDict_GetItemWithError(kn, v);
            if (hit == NULL) {
                if (!PyErr_Occurred())
                    PyErr_SetObject(PyExc_KeyError, v);
                goto fail;
            }
            if (!PyTuple_Check(hit) || PyTuple_GET_SIZE(hit) != 2) {
                PyErr_SetString(PyExc_TypeError, "a value's entry is (bits, patterns)");
                goto fail;
            }
            PyObject *now = PyNumber_Or(sat, PyTuple_GET_ITEM(hit, 0));
            if (now == NULL)
                goto fail;
            Py_SETREF(sat, now);
            PyObject *es = PyTuple_GET_ITEM(hit, 1);
            int truth = PyObject_IsTrue(es);
            if (truth < 0)
                goto fail;
            if (truth) {
                PyObject *pair = PyTuple_Pack(2, es, where);
                if (pair == NULL || PyList_Append(woken, pair) < 0) {
                    Py_XDECREF(pair);
                    goto fail;
                }
                Py_DECREF(pair);
            }
        }
    }
    seq = PySequence_Fast(re_tests, "re_tests is a sequence");
    if (seq == NULL)
        goto fail;
    for (Py_ssize_t k = 0; k < PySequence_Fast_GET_SIZE(seq); k++) {
        PyObject *pair = PySequence_Fast_GET_ITEM(seq, k);
        if (!PyTuple_Check(pair) || PyTuple_GET_SIZE(pair) != 3) {
            PyErr_SetString(PyExc_TypeError, "a regex test is (bit, test, on_text)");
            goto fail;
        }
        int on_text = PyObject_IsTrue(PyTuple_GET_ITEM(pair, 2));
        if (on_text < 0)
            goto fail;
        PyObject *r;
        if (on_text) { /* test(analysis.text) is not None: a regex's search, called straight */
            PyObject *text = PyObject_GetAttr(analysis, str_text);
            if (text == NULL)
                goto fail;
            r = PyObject_CallOneArg(PyTuple_GET_ITEM(pair, 1), text);
            Py_DECREF(text);
        }
        else
            r = PyObject_CallOneArg(PyTuple_GET_ITEM(pair, 1), analysis);
        if (r == NULL)
            goto fail;
        int truth = on_text ? r != Py_None : PyObject_IsTrue(r);
        Py_DECREF(r);
        if (truth < 0)
            goto fail;
        if (truth) {
            PyObject *now = PyNumber_Or(sat, PyTuple_GET_ITEM(pair, 0));
            if (now == NULL)
                goto fail;
            Py_SETREF(sat, now);
        }
    }
    Py_CLEAR(seq);
    for (Py_ssize_t w = 0; w < PyList_GET_SIZE(woken); w++) {
        PyObject *pair = PyList_GET_ITEM(woken, w);
        PyObject *es = PySequence_Fast(PyTuple_GET_ITEM(pair, 0), "patterns are a sequence");
        if (es == NULL)
            goto fail;
        PyObject *where = PyTuple_GET_ITEM(pair, 1);
        for (Py_ssize_t k = 0; k < PySequence_Fast_GET_SIZE(es); k++) {
            PyObject *e = PySequence_Fast_GET_ITEM(es, k);
            PyObject *mask = ENTRY(e, 0, str_mask);
            int holds = mask == NULL ? -1 : mask_holds(mask, sat);
            Py_XDECREF(mask);
            if (holds <= 0) {
                if (holds < 0) {
                    Py_DECREF(es);
                    goto fail;
                }
                continue;
            }
            PyObject *offsets = ENTRY(e, 1, str_offsets);
            PyObject *offs = offsets ? PySequence_Fast(offsets, "offsets are a sequence") : NULL;
            Py_XDECREF(offsets);
            PyObject *starts = NULL;
            if (offs != NULL) {
                Py_ssize_t no = PySequence_Fast_GET_SIZE(offs);
                if (no == 1)
                    starts = PyNumber_Rshift(where, PySequence_Fast_GET_ITEM(offs, 0));
                else {
                    starts = zero;
                    Py_INCREF(starts);
                    for (Py_ssize_t o = 0; o < no && starts != NULL; o++) {
                        PyObject *sh = PyNumber_Rshift(where, PySequence_Fast_GET_ITEM(offs, o));
                        PyObject *now = sh ? PyNumber_Or(starts, sh) : NULL;
                        Py_XDECREF(sh);
                        Py_SETREF(starts, now);
                    }
                }
                Py_DECREF(offs);
            }
            PyObject *ri = starts ? ENTRY(e, 2, str_ri) : NULL;
            PyObject *pi = ri ? ENTRY(e, 3, str_pi) : NULL;
            int r = pi == NULL ? -1 : put_start(out, ri, pi, starts, 1);
            Py_XDECREF(ri);
            Py_XDECREF(pi);
            Py_XDECREF(starts);
            if (r < 0) {
                Py_DECREF(es);
                goto fail;
            }
        }
        Py_DECREF(es);
    }
    seq = PySequence_Fast(always, "always is a sequence");
    if (seq == NULL)
        goto fail;
    for (Py_ssize_t k = 0; k < PySequence_Fast_GET_SIZE(seq); k++) {
        PyObject *e = PySequence_Fast_GET_ITEM(seq, k);
        PyObject *mask = ENTRY(e, 0, str_mask);
        int holds = mask == NULL ? -1 : mask_holds(mask, sat);
        Py_XDECREF(mask);
        if (holds < 0)
            goto fail;
        if (!holds)
            continue;
        PyObject *ri = ENTRY(e, 2, str_ri);
        PyObject *pi = ri ? ENTRY(e, 3, str_pi) : NULL;
        int r = pi == NULL ? -1 : put_start(out, ri, pi, minus_one, 0);
        Py_XDECREF(ri);
        Py_XDECREF(pi);
        if (r < 0)
            goto fail;
    }
    Py_CLEAR(seq);
    PyObject *res = PyTuple_Pack(2, sat, out);
    Py_DECREF(sat);
    Py_DECREF(out);
    Py_DECREF(woken);
    Py_DECREF(minus_one);
    Py_DECREF(zero);
    return res;
fail:
    Py_XDECREF(seq);
    Py_XDECREF(sat);
    Py_XDECREF(woken);
    Py_XDECREF(out);
    Py_XDECREF(minus_one);
    Py_XDECREF(zero);
    return NULL;
}


/* ------------------------------------------------------------------ Matcher: one pattern, interpreted */

/* A compiled pattern of the rule engine (nakanaori.check.compiled): the same matching as the generated Python
   functions ``first`` and ``ends`` of a CPattern (their reference: engine.match_ends), over the token specs as
   data. Matcher(steps): steps is a tuple of (op, max, test, words), op one of "1" "?" "*" "+" "*?", test None
   (any token) or (s, lemma, norm, pos, cform, ctype, rx, not) with s/lemma/norm frozensets, pos/cform/ctype
   tuples of prefixes, rx a bound fullmatch and not a nested test (each None when absent), words a frozenset for
   a word token (else None). Calling it as first(tokens, i, limit) gives the first end or -1; ends(tokens, i,
   limit) the list of every end in the reference's order. */

enum { M_SURFACE, M_LEMMA, M_NORM, M_POS_STR, M_CFORM, M_CTYPE, N_MFIELDS };
static const char *const mfield_names[N_MFIELDS] = {"surface", "lemma", "norm", "pos_str", "cform", "ctype"};
static PyObject *mfield_str[N_MFIELDS];
static SlotMap mfields = {NULL, {0}};
static PyObject *str_long_vowel, *str_wave_dash;

static int append_int(PyObject *list, Py_ssize_t v);

typedef struct Test {
    PyObject *set[3];    /* surface, lemma, norm: frozensets (borrowed from the steps tuple) or NULL */
    PyObject *prefix[3]; /* pos_str, cform, ctype: tuples of prefixes or NULL */
    PyObject *rx;        /* fullmatch or NULL */
    struct Test *not_;   /* or NULL */
    int any;             /* tests nothing */
} Test;

enum { OP_ONE, OP_OPT, OP_STAR, OP_PLUS, OP_LAZY };

typedef struct {
    Test test;
    int op;
    Py_ssize_t max;
    PyObject *words; /* borrowed, or NULL */
} Step;

typedef struct {
    PyObject_HEAD
    vectorcallfunc vectorcall;
    PyObject *steps_obj; /* the tuple the steps borrow from */
    Py_ssize_t n;
    Step *steps;
    Test **extra; /* the nested tests, to free */
    Py_ssize_t n_extra;
} Matcher;

static PyTypeObject MatcherType;

/* a new reference to token field k */
static inline PyObject *mfield(PyObject *tok, int k)
{
    if (Py_TYPE(tok) != mfields.type && slotmap_resolve(&mfields, Py_TYPE(tok), mfield_names, N_MFIELDS) < 0) {
        PyErr_Clear();
        return PyObject_GetAttr(tok, mfield_str[k]);
    }
    PyObject *v = *(PyObject **)((char *)tok + mfields.off[k]);
    if (v == NULL) {
        PyErr_SetObject(PyExc_AttributeError, mfield_str[k]);
        return NULL;
    }
    Py_INCREF(v);
    return v;
}

static int starts_with_any(PyObject *v, PyObject *prefixes)
{
    if (!PyUnicode_Check(v)) {
        PyErr_SetString(PyExc_TypeError, "a token field is not a str");
        return -1;
    }
    Py_ssize_t np = PyTuple_GET_SIZE(prefixes);
    for (Py_ssize_t j = 0; j < np; j++) {
        Py_ssize_t r = PyUnicode_Tailmatch(v, PyTuple_GET_ITEM(prefixes, j), 0, PY_SSIZE_T_MAX, -1);
        if (r != 0)
            return r < 0 ? -1 : 1;
    }
    return 0;
}

/* 1 when the token passes the test, 0 when not, -1 on an error */
static int test_token(const Test *t, PyObject *tok)
{
    if (t->any)
        return 1;
    for (int k = 0; k < 3; k++) {
        if (t->set[k] == NULL)
            continue;
        PyObject *v = mfield(tok, M_SURFACE + k);
        if (v == NULL)
            return -1;
        int r = PySet_Contains(t->set[k], v);
        Py_DECREF(v);
        if (r <= 0)
            return r;
    }
    for (int k = 0; k < 3; k++) {
        if (t->prefix[k] == NULL)
            continue;
        PyObject *v = mfield(tok, M_POS_STR + k);
        if (v == NULL)
            return -1;
        int r = starts_with_any(v, t->prefix[k]);
        Py_DECREF(v);
        if (r <= 0)
            return r;
    }
    if (t->rx != NULL) {
        PyObject *v = mfield(tok, M_SURFACE);
        if (v == NULL)
            return -1;
        PyObject *mo = PyObject_CallOneArg(t->rx, v);
        Py_DECREF(v);
        if (mo == NULL)
            return -1;
        int r = mo != Py_None;
        Py_DECREF(mo);
        if (!r)
            return 0;
    }
    if (t->not_ != NULL) {
        int r = test_token(t->not_, tok);
        if (r != 0)
            return r < 0 ? -1 : 0;
    }
    return 1;
}

/* compiled.word_end: the end of the word at ti (one morpheme with a listed form, else up to four morphemes whose
   surfaces joined are listed, no punctuation between); -1 when there is none, -2 on an error */
static Py_ssize_t word_end_c(PyObject *words, PyObject *tokens, Py_ssize_t ti, Py_ssize_t limit)
{
    PyObject *tok = PyList_GET_ITEM(tokens, ti);
    PyObject *joined = NULL;
    for (int k = M_SURFACE; k <= M_NORM; k++) {
        PyObject *v = mfield(tok, k);
        if (v == NULL)
            return -2;
        int r = PySet_Contains(words, v);
        if (k == M_SURFACE && r == 0)
            joined = v;
        else
            Py_DECREF(v);
        if (r != 0) {
            Py_XDECREF(joined);
            return r < 0 ? -2 : ti + 1;
        }
    }
    Py_ssize_t stop = limit < ti + 4 ? limit : ti + 4;
    if (stop > PyList_GET_SIZE(tokens))
        stop = PyList_GET_SIZE(tokens);
    for (Py_ssize_t k = ti + 1; k < stop; k++) {
        PyObject *u = PyList_GET_ITEM(tokens, k);
        PyObject *pos = mfield(u, M_POS_STR);
        PyObject *surface = pos == NULL ? NULL : mfield(u, M_SURFACE);
        if (surface == NULL) {
            Py_XDECREF(pos);
            Py_DECREF(joined);
            return -2;
        }
        int brk = 0;
        if (!PyUnicode_Check(pos) || !PyUnicode_Check(surface)) {
            PyErr_SetString(PyExc_TypeError, "a token field is not a str");
            brk = -1;
        }
        else if (PyUnicode_Tailmatch(pos, str_symbol, 0, PY_SSIZE_T_MAX, -1) ||
                 PyUnicode_Tailmatch(pos, str_space, 0, PY_SSIZE_T_MAX, -1))
            brk = PyUnicode_Compare(surface, str_long_vowel) != 0 && PyUnicode_Compare(surface, str_wave_dash) != 0;
        Py_DECREF(pos);
        if (brk) {
            Py_DECREF(surface);
            Py_DECREF(joined);
            return brk < 0 ? -2 : -1;
        }
        PyObject *j2 = PyUnicode_Concat(joined, surface);
        Py_DECREF(surface);
        Py_DECREF(joined);
        if (j2 == NULL)
            return -2;
        joined = j2;
        int r = PySet_Contains(words, joined);
        if (r != 0) {
            Py_DECREF(joined);
            return r < 0 ? -2 : k + 1;
        }
    }
    Py_DECREF(joined);
    return -1;
}

static inline int test_at(const Step *st, PyObject *tokens, Py_ssize_t ti)
{
    if (st->test.any) /* as the generated code: an any-token is not even looked at */
        return 1;
    if (ti >= PyList_GET_SIZE(tokens)) {
        PyErr_SetString(PyExc_IndexError, "list index out of range");
        return -1;
    }
    return test_token(&st->test, PyList_GET_ITEM(tokens, ti));
}

/* The ends of steps[pi:] from ti, in the reference's order: with out == NULL, the first (or -1); else each is
   appended to out (and -1 returned). -2 on an error. */
static Py_ssize_t match_from(const Matcher *m, PyObject *tokens, Py_ssize_t pi, Py_ssize_t ti, Py_ssize_t limit,
                             PyObject *out)
{
    if (pi == m->n) {
        if (out == NULL)
            return ti;
        return append_int(out, ti) < 0 ? -2 : -1;
    }
    const Step *st = &m->steps[pi];
    if (st->op == OP_ONE) {
        if (ti >= limit)
            return -1;
        int r = test_at(st, tokens, ti);
        if (r <= 0)
            return r < 0 ? -2 : -1;
        Py_ssize_t nxt = ti + 1;
        if (st->words != NULL) {
            nxt = word_end_c(st->words, tokens, ti, limit);
            if (nxt < 0)
                return nxt;
        }
        return match_from(m, tokens, pi + 1, nxt, limit, out);
    }
    Py_ssize_t count = 0;
    if (st->op == OP_LAZY) { /* as few as it can, then one more at a time */
        for (;;) {
            Py_ssize_t e = match_from(m, tokens, pi + 1, ti + count, limit, out);
            if (e != -1)
                return e;
            if (count >= st->max || ti + count >= limit)
                return -1;
            int r = test_at(st, tokens, ti + count);
            if (r <= 0)
                return r < 0 ? -2 : -1;
            count++;
        }
    }
    Py_ssize_t lo = st->op == OP_PLUS ? 1 : 0;
    Py_ssize_t hi = st->op == OP_OPT ? 1 : st->max;
    while (count < hi && ti + count < limit) {
        int r = test_at(st, tokens, ti + count);
        if (r < 0)
            return -2;
        if (!r)
            break;
        count++;
    }
    if (pi == m->n - 1) { /* a final quantifier takes all it can */
        if (count < lo)
            return -1;
        if (out == NULL)
            return ti + count;
        return append_int(out, ti + count) < 0 ? -2 : -1;
    }
    for (; count >= lo; count--) {
        Py_ssize_t e = match_from(m, tokens, pi + 1, ti + count, limit, out);
        if (e != -1)
            return e;
    }
    return -1;
}

static int matcher_args(PyObject *const *args, Py_ssize_t nargs, Py_ssize_t *i, Py_ssize_t *limit)
{
    if (nargs != 3 || !PyList_Check(args[0])) {
        PyErr_SetString(PyExc_TypeError, "(tokens: list, i, limit)");
        return -1;
    }
    *i = PyLong_AsSsize_t(args[1]);
    if (*i == -1 && PyErr_Occurred())
        return -1;
    *limit = PyLong_AsSsize_t(args[2]);
    if (*limit == -1 && PyErr_Occurred())
        return -1;
    return 0;
}

static PyObject *matcher_call(PyObject *self, PyObject *const *args, size_t nargsf, PyObject *kwnames)
{
    Py_ssize_t i, limit;
    if (kwnames != NULL && PyTuple_GET_SIZE(kwnames)) {
        PyErr_SetString(PyExc_TypeError, "no keyword arguments");
        return NULL;
    }
    if (matcher_args(args, PyVectorcall_NARGS(nargsf), &i, &limit) < 0)
        return NULL;
    Py_ssize_t e = match_from((Matcher *)self, args[0], 0, i, limit, NULL);
    if (e == -2)
        return NULL;
    return PyLong_FromSsize_t(e);
}

static PyObject *matcher_ends(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    Py_ssize_t i, limit;
    if (matcher_args(args, nargs, &i, &limit) < 0)
        return NULL;
    PyObject *out = PyList_New(0);
    if (out == NULL)
        return NULL;
    if (match_from((Matcher *)self, args[0], 0, i, limit, out) == -2) {
        Py_DECREF(out);
        return NULL;
    }
    return out;
}

static int parse_test(Matcher *m, PyObject *spec, Test *t)
{
    memset(t, 0, sizeof(*t));
    if (spec == Py_None) {
        t->any = 1;
        return 0;
    }
    if (!PyTuple_Check(spec) || PyTuple_GET_SIZE(spec) != 8) {
        PyErr_SetString(PyExc_TypeError, "a test is None or (s, lemma, norm, pos, cform, ctype, rx, not)");
        return -1;
    }
    for (int k = 0; k < 3; k++) {
        PyObject *v = PyTuple_GET_ITEM(spec, k);
        if (v != Py_None && !PyFrozenSet_Check(v)) {
            PyErr_SetString(PyExc_TypeError, "s, lemma, norm: a frozenset or None");
            return -1;
        }
        t->set[k] = v == Py_None ? NULL : v;
        v = PyTuple_GET_ITEM(spec, 3 + k);
        if (v != Py_None && !PyTuple_Check(v)) {
            PyErr_SetString(PyExc_TypeError, "pos, cform, ctype: a tuple or None");
            return -1;
        }
        if (v != Py_None)
            for (Py_ssize_t j = 0; j < PyTuple_GET_SIZE(v); j++)
                if (!PyUnicode_Check(PyTuple_GET_ITEM(v, j))) {
                    PyErr_SetString(PyExc_TypeError, "a prefix is a str");
                    return -1;
                }
        t->prefix[k] = v == Py_None ? NULL : v;
    }
    PyObject *rx = PyTuple_GET_ITEM(spec, 6);
    t->rx = rx == Py_None ? NULL : rx;
    PyObject *inner = PyTuple_GET_ITEM(spec, 7);
    if (inner != Py_None) {
        Test **extra = PyMem_Realloc(m->extra, (m->n_extra + 1) * sizeof(Test *));
        if (extra == NULL) {
            PyErr_NoMemory();
            return -1;
        }
        m->extra = extra;
        Test *nt = PyMem_Malloc(sizeof(Test));
        if (nt == NULL) {
            PyErr_NoMemory();
            return -1;
        }
        m->extra[m->n_extra++] = nt;
        t->not_ = nt;
        if (parse_test(m, inner, nt) < 0)
            return -1;
    }
    /* no condition at all: an any-token (the generated code's ``True``) */
    t->any = !t->set[0] && !t->set[1] && !t->set[2] && !t->prefix[0] && !t->prefix[1] && !t->prefix[2] && !t->rx &&
             !t->not_;
    return 0;
}

static void matcher_dealloc(PyObject *self)
{
    Matcher *m = (Matcher *)self;
    for (Py_ssize_t k = 0; k < m->n_extra; k++)
        PyMem_Free(m->extra[k]);
    PyMem_Free(m->extra);
    PyMem_Free(m->steps);
    Py_XDECREF(m->steps_obj);
    Py_TYPE(self)->tp_free(self);
}

static PyObject *matcher_new(PyTypeObject *type, PyObject *args, PyObject *kwds)
{
    PyObject *steps;
    if (kwds != NULL && PyDict_GET_SIZE(kwds)) {
        PyErr_SetString(PyExc_TypeError, "Matcher(steps)");
        return NULL;
    }
    if (!PyArg_ParseTuple(args, "O!:Matcher", &PyTuple_Type, &steps))
        return NULL;
    Matcher *m = (Matcher *)type->tp_alloc(type, 0);
    if (m == NULL)
        return NULL;
    m->vectorcall = matcher_call;
    Py_INCREF(steps);
    m->steps_obj = steps;
    m->n = PyTuple_GET_SIZE(steps);
    m->steps = PyMem_Calloc(m->n ? m->n : 1, sizeof(Step));
    if (m->steps == NULL) {
        Py_DECREF(m);
        return PyErr_NoMemory();
    }
    static const char *const ops[] = {"1", "?", "*", "+", "*?"};
    for (Py_ssize_t k = 0; k < m->n; k++) {
        PyObject *s = PyTuple_GET_ITEM(steps, k);
        if (!PyTuple_Check(s) || PyTuple_GET_SIZE(s) != 4 || !PyUnicode_Check(PyTuple_GET_ITEM(s, 0))) {
            PyErr_SetString(PyExc_TypeError, "a step is (op, max, test, words)");
            Py_DECREF(m);
            return NULL;
        }
        Step *st = &m->steps[k];
        st->op = -1;
        for (int o = 0; o < 5; o++)
            if (PyUnicode_CompareWithASCIIString(PyTuple_GET_ITEM(s, 0), ops[o]) == 0)
                st->op = o;
        st->max = PyLong_AsSsize_t(PyTuple_GET_ITEM(s, 1));
        PyObject *words = PyTuple_GET_ITEM(s, 3);
        if (st->op < 0 || (st->max == -1 && PyErr_Occurred()) || (words != Py_None && !PyFrozenSet_Check(words))) {
            if (!PyErr_Occurred())
                PyErr_SetString(PyExc_ValueError, "a step's op is 1 ? * + *?, its words a frozenset or None");
            Py_DECREF(m);
            return NULL;
        }
        st->words = words == Py_None ? NULL : words;
        if (parse_test(m, PyTuple_GET_ITEM(s, 2), &st->test) < 0) {
            Py_DECREF(m);
            return NULL;
        }
    }
    return (PyObject *)m;
}

static PyMethodDef matcher_methods[] = {
    {"ends", (PyCFunction)(void (*)(void))matcher_ends, METH_FASTCALL,
     "ends(tokens, i, limit) -> every end of the pattern at i, in the reference's order"},
    {NULL, NULL, 0, NULL},
};

static PyTypeObject MatcherType = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "nakanaori.text._speedups.Matcher",
    .tp_basicsize = sizeof(Matcher),
    .tp_dealloc = matcher_dealloc,
    .tp_vectorcall_offset = offsetof(Matcher, vectorcall),
    .tp_call = PyVectorcall_Call,
    .tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_VECTORCALL,
    .tp_doc = "Matcher(steps): first(tokens, i, limit) -> the first end or -1; .ends(...) -> every end",
    .tp_methods = matcher_methods,
    .tp_new = matcher_new,
};

/* ------------------------------------------------------------------ keep_starts */

/* first(tokens, k, n) for a start k: the end, -1 for none, -2 on an error (a Matcher is run without a call) */
static Py_ssize_t first_end_at(PyObject *first, PyObject *tokens, Py_ssize_t k, PyObject *n_obj, Py_ssize_t n)
{
    if (Py_IS_TYPE(first, &MatcherType) && PyList_Check(tokens))
        return match_from((Matcher *)first, tokens, 0, k, n, NULL);
    PyObject *at = PyLong_FromSsize_t(k);
    if (at == NULL)
        return -2;
    PyObject *call[3] = {tokens, at, n_obj};
    PyObject *end = PyObject_Vectorcall(first, call, 3, NULL);
    Py_DECREF(at);
    if (end == NULL)
        return -2;
    Py_ssize_t e = PyLong_AsSsize_t(end);
    Py_DECREF(end);
    if (e == -1 && PyErr_Occurred())
        return -2;
    return e < 0 ? -1 : e;
}

/* a new reference to starts (a bit mask of token positions, an int >= 0) less the positions k where
   first(tokens, k, n) < 0 */
static PyObject *keep_bits(PyObject *first, PyObject *tokens, PyObject *starts_obj, PyObject *n_obj)
{
    Py_ssize_t n = PyLong_AsSsize_t(n_obj);
    if (n == -1 && PyErr_Occurred())
        return NULL;
    unsigned long long starts = PyLong_AsUnsignedLongLong(starts_obj);
    if (!(starts == (unsigned long long)-1 && PyErr_Occurred())) {
        unsigned long long m = starts;
        while (m) {
            int k = __builtin_ctzll(m);
            unsigned long long low = m & (~m + 1);
            m ^= low;
            Py_ssize_t e = first_end_at(first, tokens, k, n_obj, n);
            if (e == -2)
                return NULL;
            if (e < 0)
                starts ^= low;
        }
        return PyLong_FromUnsignedLongLong(starts);
    }
    if (!PyErr_ExceptionMatches(PyExc_OverflowError))
        return NULL;
    PyErr_Clear(); /* past 64 bits: the mask as bytes, little end first */
    size_t nbits = _PyLong_NumBits(starts_obj);
    if (nbits == (size_t)-1 && PyErr_Occurred())
        return NULL;
    size_t nbytes = nbits / 8 + 1;
    unsigned char *buf = PyMem_Malloc(nbytes);
    if (buf == NULL)
        return PyErr_NoMemory();
    if (_PyLong_AsByteArray((PyLongObject *)starts_obj, buf, nbytes, 1, 0) < 0) {
        PyMem_Free(buf);
        return NULL;
    }
    for (size_t b = 0; b < nbytes; b++) {
        for (int j = 0; j < 8; j++) {
            if (!(buf[b] >> j & 1))
                continue;
            Py_ssize_t e = first_end_at(first, tokens, (Py_ssize_t)(b * 8 + j), n_obj, n);
            if (e == -2) {
                PyMem_Free(buf);
                return NULL;
            }
            if (e < 0)
                buf[b] &= (unsigned char)~(1u << j);
        }
    }
    PyObject *out = _PyLong_FromByteArray(buf, nbytes, 1, 0);
    PyMem_Free(buf);
    return out;
}

/* keep_starts(first, tokens, starts, n) -> starts less the positions k where first(tokens, k, n) < 0 */
static PyObject *keep_starts(PyObject *Py_UNUSED(self), PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs != 4) {
        PyErr_SetString(PyExc_TypeError, "keep_starts(first, tokens, starts, n)");
        return NULL;
    }
    if (!PyLong_Check(args[2]) || _PyLong_Sign(args[2]) < 0) {
        PyErr_SetString(PyExc_ValueError, "starts is an int >= 0");
        return NULL;
    }
    return keep_bits(args[0], args[1], args[2], args[3]);
}

/* keep_all(survivors, firsts, tokens, n): keep_starts on every pattern of survivors ({rule: {pattern: starts}},
   starts -1 left alone), firsts[rule][pattern] its first; a pattern left with no start is taken out, and a rule
   left with no pattern. In place; returns None. */
static PyObject *keep_all(PyObject *Py_UNUSED(self), PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs != 4 || !PyDict_Check(args[0]) || !PyTuple_Check(args[1])) {
        PyErr_SetString(PyExc_TypeError, "keep_all(survivors: dict, firsts: tuple, tokens, n)");
        return NULL;
    }
    PyObject *survivors = args[0], *firsts = args[1], *tokens = args[2], *n_obj = args[3];
    PyObject *gone = PyList_New(0), *gone_rules = PyList_New(0);
    if (gone == NULL || gone_rules == NULL)
        goto fail;
    Py_ssize_t pos = 0;
    PyObject *ri, *pats;
    while (PyDict_Next(survivors, &pos, &ri, &pats)) {
        Py_ssize_t r = PyLong_AsSsize_t(ri);
        if (r == -1 && PyErr_Occurred())
            goto fail;
        if (!PyDict_Check(pats) || r < 0 || r >= PyTuple_GET_SIZE(firsts) ||
            !PyTuple_Check(PyTuple_GET_ITEM(firsts, r))) {
            PyErr_SetString(PyExc_ValueError, "survivors and firsts do not fit");
            goto fail;
        }
        PyObject *row = PyTuple_GET_ITEM(firsts, r);
        Py_ssize_t ppos = 0;
        PyObject *pi, *starts;
        if (PyList_SetSlice(gone, 0, PyList_GET_SIZE(gone), NULL) < 0)
            goto fail;
        while (PyDict_Next(pats, &ppos, &pi, &starts)) {
            if (!PyLong_Check(starts) || _PyLong_Sign(starts) < 0)
                continue; /* -1: from its anchor, planned by the caller */
            Py_ssize_t p = PyLong_AsSsize_t(pi);
            if (p == -1 && PyErr_Occurred())
                goto fail;
            if (p < 0 || p >= PyTuple_GET_SIZE(row)) {
                PyErr_SetString(PyExc_ValueError, "survivors and firsts do not fit");
                goto fail;
            }
            PyObject *kept = keep_bits(PyTuple_GET_ITEM(row, p), tokens, starts, n_obj);
            if (kept == NULL)
                goto fail;
            int rc = _PyLong_Sign(kept) == 0 ? PyList_Append(gone, pi) : PyDict_SetItem(pats, pi, kept);
            Py_DECREF(kept);
            if (rc < 0)
                goto fail;
        }
        for (Py_ssize_t k = 0; k < PyList_GET_SIZE(gone); k++)
            if (PyDict_DelItem(pats, PyList_GET_ITEM(gone, k)) < 0)
                goto fail;
        if (PyDict_GET_SIZE(pats) == 0 && PyList_Append(gone_rules, ri) < 0)
            goto fail;
    }
    for (Py_ssize_t k = 0; k < PyList_GET_SIZE(gone_rules); k++)
        if (PyDict_DelItem(survivors, PyList_GET_ITEM(gone_rules, k)) < 0)
            goto fail;
    Py_DECREF(gone);
    Py_DECREF(gone_rules);
    Py_RETURN_NONE;
fail:
    Py_XDECREF(gone);
    Py_XDECREF(gone_rules);
    return NULL;
}

/* ------------------------------------------------------------------ split and mark_negation */

/* the bits of nakanaori.text.analysis._surface_flags (tests/text/test_speedups.py checks them) */
enum { F_CONT = 1, F_TILDE = 2, F_COMMA = 4, F_CONJ = 8, F_OPEN = 16, F_CLOSE = 32, F_ENDS = 64, F_LAUGH = 128,
       F_QUOTATIVE = 256 };

enum { T_I, T_SENT, T_CLAUSE, T_QUOTE, T_SURFACE, T_POS1, T_POS_STR, T_LEMMA, T_NEGATED, T_OTHER, T_REPORTED,
       N_TFIELDS };
static const char *const tfield_names[N_TFIELDS] = {"i", "sent", "clause", "quote", "surface", "pos1", "pos_str",
                                                     "lemma", "negated", "other", "reported"};
static SlotMap tfields = {NULL, {0}};

/* the tokens' class resolved, and every token of it (the caller falls back to Python otherwise) */
static int tokens_ok(PyObject *tokens)
{
    if (!PyList_Check(tokens)) {
        PyErr_SetString(PyExc_TypeError, "tokens is a list");
        return -1;
    }
    Py_ssize_t n = PyList_GET_SIZE(tokens);
    if (n == 0)
        return 0;
    if (slotmap_resolve(&tfields, Py_TYPE(PyList_GET_ITEM(tokens, 0)), tfield_names, N_TFIELDS) < 0)
        return -1;
    for (Py_ssize_t k = 0; k < n; k++)
        if (Py_TYPE(PyList_GET_ITEM(tokens, k)) != tfields.type) {
            PyErr_SetString(PyExc_TypeError, "tokens of one class");
            return -1;
        }
    return 0;
}

/* a borrowed reference to a set slot (AttributeError when unset) */
static inline PyObject *tget(PyObject *t, int k)
{
    PyObject *v = *(PyObject **)((char *)t + tfields.off[k]);
    if (v == NULL)
        PyErr_Format(PyExc_AttributeError, "%s", tfield_names[k]);
    return v;
}

/* slot k takes a new reference to v */
static inline void tset(PyObject *t, int k, PyObject *v)
{
    PyObject **at = (PyObject **)((char *)t + tfields.off[k]);
    Py_INCREF(v);
    Py_XSETREF(*at, v);
}

static inline int tset_int(PyObject *t, int k, Py_ssize_t v)
{
    PyObject *o = PyLong_FromSsize_t(v);
    if (o == NULL)
        return -1;
    PyObject **at = (PyObject **)((char *)t + tfields.off[k]);
    Py_XSETREF(*at, o);
    return 0;
}

static inline int same_str(PyObject *a, PyObject *b)
{
    return a == b || (PyUnicode_Check(a) && PyUnicode_Check(b) && PyUnicode_Compare(a, b) == 0);
}

static int append_int(PyObject *list, Py_ssize_t v)
{
    PyObject *o = PyLong_FromSsize_t(v);
    if (o == NULL)
        return -1;
    int r = PyList_Append(list, o);
    Py_DECREF(o);
    return r;
}

/* fn(tokens, k) -> truth, or -1 on an error */
static int call_truth(PyObject *fn, PyObject *tokens, Py_ssize_t k)
{
    PyObject *ko = PyLong_FromSsize_t(k);
    if (ko == NULL)
        return -1;
    PyObject *r = PyObject_CallFunctionObjArgs(fn, tokens, ko, NULL);
    Py_DECREF(ko);
    if (r == NULL)
        return -1;
    int truth = PyObject_IsTrue(r);
    Py_DECREF(r);
    return truth;
}

static int append_sentence(PyObject *sentences, PyObject *sentence_fn, PyObject *tokens, Py_ssize_t first,
                           Py_ssize_t end)
{
    PyObject *r = PyObject_CallFunction(sentence_fn, "nOnn", PyList_GET_SIZE(sentences), tokens, first, end);
    if (r == NULL)
        return -1;
    int rc = PyList_Append(sentences, r);
    Py_DECREF(r);
    return rc;
}

/* split(tokens, flags, flags_fn, open_quotes, sentence_fn, boundary_fn, ends_fn)
     -> (sentences, clause_starts, opens, quotatives): nakanaori.text.analysis._split, the same pass */
static PyObject *split(PyObject *Py_UNUSED(self), PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs != 7 || !PyDict_Check(args[1]) || !PyDict_Check(args[3])) {
        PyErr_SetString(PyExc_TypeError, "split(tokens, flags, flags_fn, open_quotes, sentence_fn, boundary_fn, ends_fn)");
        return NULL;
    }
    PyObject *tokens = args[0], *flags = args[1], *flags_fn = args[2], *open_quotes = args[3];
    PyObject *sentence_fn = args[4], *boundary_fn = args[5], *ends_fn = args[6];
    if (tokens_ok(tokens) < 0)
        return NULL;
    Py_ssize_t n = PyList_GET_SIZE(tokens);
    PyObject *sentences = PyList_New(0), *clause_starts = PyList_New(0), *opens = PyList_New(0);
    PyObject *quotatives = PyList_New(0), *stack = PyList_New(0);
    if (!sentences || !clause_starts || !opens || !quotatives || !stack)
        goto fail;
    if (n && append_int(clause_starts, 0) < 0)
        goto fail;
    Py_ssize_t s = 0, c = 0, first = 0, depth = 0, last_start = 0;
    int pending = 0, quiet = 1;
    for (Py_ssize_t k = 0; k < n; k++) {
        PyObject *t = PyList_GET_ITEM(tokens, k);
        if (tset_int(t, T_I, k) < 0)
            goto fail;
        PyObject *surf = tget(t, T_SURFACE), *pos1 = tget(t, T_POS1);
        if (surf == NULL || pos1 == NULL)
            goto fail;
        long f;
        PyObject *fo = PyDict_GetItemWithError(flags, surf);
        if (fo != NULL)
            f = PyLong_AsLong(fo);
        else {
            if (PyErr_Occurred())
                goto fail;
            fo = PyObject_CallOneArg(flags_fn, surf);
            if (fo == NULL)
                goto fail;
            f = PyLong_AsLong(fo);
            Py_DECREF(fo);
        }
        if (f == -1 && PyErr_Occurred())
            goto fail;
        int is_symbol = same_str(pos1, str_symbol), is_space = !is_symbol && same_str(pos1, str_space);
        if (!f && quiet && !is_symbol && !is_space) {
            if (tset_int(t, T_SENT, s) < 0 || tset_int(t, T_CLAUSE, c) < 0)
                goto fail;
            continue;
        }
        if (pending && !((f & F_CONT) || ((f & F_TILDE) && is_symbol))) {
            s++;
            c++;
            pending = 0;
            if (append_sentence(sentences, sentence_fn, tokens, first, k) < 0)
                goto fail;
            first = k;
            if (last_start != k) {
                if (append_int(clause_starts, k) < 0)
                    goto fail;
                last_start = k;
            }
        }
        if (tset_int(t, T_SENT, s) < 0 || tset_int(t, T_CLAUSE, c) < 0)
            goto fail;
        if ((f & F_QUOTATIVE) && append_int(quotatives, k) < 0)
            goto fail;
        int conj = 0;
        if (f & F_CONJ) {
            PyObject *ps = tget(t, T_POS_STR);
            if (ps == NULL)
                goto fail;
            Py_ssize_t m = PyUnicode_Tailmatch(ps, str_conj_particle, 0, PY_SSIZE_T_MAX, -1);
            if (m < 0)
                goto fail;
            conj = m > 0;
        }
        if ((f & F_COMMA) || conj) {
            c++;
            if (append_int(clause_starts, k + 1) < 0)
                goto fail;
            last_start = k + 1;
        }
        /* the quote scope */
        Py_ssize_t ns = PyList_GET_SIZE(stack);
        if (ns && same_str(surf, PyList_GET_ITEM(stack, ns - 1))) {
            if (PyList_SetSlice(stack, ns - 1, ns, NULL) < 0)
                goto fail;
        }
        else if (f & F_OPEN) {
            PyObject *close = PyDict_GetItemWithError(open_quotes, surf);
            if (close == NULL) {
                if (!PyErr_Occurred())
                    PyErr_SetObject(PyExc_KeyError, surf);
                goto fail;
            }
            if (PyList_Append(stack, close) < 0 || append_int(opens, k) < 0)
                goto fail;
        }
        else if (ns)
            tset(t, T_QUOTE, Py_True);
        /* sentence ends */
        if (f & F_OPEN)
            depth++;
        else if ((f & F_CLOSE) && depth)
            depth--;
        if (depth) {
            quiet = 0;
            continue;
        }
        int may_end = is_symbol || ((f & F_LAUGH) && same_str(pos1, str_noun));
        int ends = (f & F_ENDS) != 0;
        if (!ends && is_space) {
            ends = call_truth(boundary_fn, tokens, k);
            if (ends < 0)
                goto fail;
        }
        if (!ends && may_end) {
            ends = call_truth(ends_fn, tokens, k);
            if (ends < 0)
                goto fail;
        }
        if (ends)
            pending = 1;
        quiet = !(PyList_GET_SIZE(stack) || pending);
    }
    if (n && append_sentence(sentences, sentence_fn, tokens, first, n) < 0)
        goto fail;
    Py_ssize_t nc = PyList_GET_SIZE(clause_starts);
    if (nc && last_start == n && PyList_SetSlice(clause_starts, nc - 1, nc, NULL) < 0)
        goto fail;
    Py_DECREF(stack);
    return Py_BuildValue("(NNNN)", sentences, clause_starts, opens, quotatives);
fail:
    Py_XDECREF(sentences);
    Py_XDECREF(clause_starts);
    Py_XDECREF(opens);
    Py_XDECREF(quotatives);
    Py_XDECREF(stack);
    return NULL;
}

static int contains(PyObject *set, PyObject *v)
{
    return PySet_Check(set) || PyFrozenSet_Check(set) ? PySet_Contains(set, v) : PySequence_Contains(set, v);
}

static int sent_of(PyObject *t, long *out)
{
    PyObject *v = tget(t, T_SENT);
    if (v == NULL)
        return -1;
    *out = PyLong_AsLong(v);
    return *out == -1 && PyErr_Occurred() ? -1 : 0;
}

/* mark_negation(tokens, predicate_pos1, negators, negator_pos1, tail): nakanaori.text.analysis._mark_negation */
static PyObject *mark_negation(PyObject *Py_UNUSED(self), PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs != 5) {
        PyErr_SetString(PyExc_TypeError, "mark_negation(tokens, predicate_pos1, negators, negator_pos1, tail)");
        return NULL;
    }
    PyObject *tokens = args[0], *pred_pos1 = args[1], *negators = args[2], *neg_pos1 = args[3], *tail = args[4];
    if (tokens_ok(tokens) < 0)
        return NULL;
    Py_ssize_t n = PyList_GET_SIZE(tokens);
    for (Py_ssize_t k = 0; k < n; k++) {
        PyObject *t = PyList_GET_ITEM(tokens, k);
        PyObject *pos1 = tget(t, T_POS1), *lemma = tget(t, T_LEMMA);
        if (pos1 == NULL || lemma == NULL)
            return NULL;
        int r = contains(pred_pos1, pos1);
        if (r < 0)
            return NULL;
        if (!r)
            continue;
        r = contains(negators, lemma);
        if (r < 0)
            return NULL;
        if (r)
            continue;
        long sent;
        if (sent_of(t, &sent) < 0)
            return NULL;
        for (Py_ssize_t j = k + 1; j < n && j <= k + 4; j++) {
            PyObject *x = PyList_GET_ITEM(tokens, j);
            long xs;
            if (sent_of(x, &xs) < 0)
                return NULL;
            if (xs != sent)
                break;
            PyObject *xl = tget(x, T_LEMMA), *xp = tget(x, T_POS1), *xsurf = tget(x, T_SURFACE);
            if (xl == NULL || xp == NULL || xsurf == NULL)
                return NULL;
            int neg = contains(negators, xl);
            if (neg < 0)
                return NULL;
            if (neg) {
                neg = contains(neg_pos1, xp);
                if (neg < 0)
                    return NULL;
            }
            if (neg) {
                tset(t, T_NEGATED, Py_True);
                if (k > 0 && same_str(lemma, str_suru)) {
                    PyObject *prev = PyList_GET_ITEM(tokens, k - 1);
                    PyObject *pp = tget(prev, T_POS1);
                    if (pp == NULL)
                        return NULL;
                    if (same_str(pp, str_noun))
                        tset(prev, T_NEGATED, Py_True); /* 感謝 (し)ない */
                }
                break;
            }
            int go = contains(tail, xl);
            if (go < 0)
                return NULL;
            if (!go && !same_str(xsurf, str_te) && !same_str(xsurf, str_de))
                break;
        }
    }
    Py_RETURN_NONE;
}

/* has_words(tokens, words) -> whether one sentence has the words in this order (each the lemma or the surface of
   one token), outside quotes, the other's words, reported words and negated predicates: nakanaori.check.notes
   .has_words (sentences are the runs of tokens with one sentence number) */
static PyObject *has_words(PyObject *Py_UNUSED(self), PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs != 2 || !PyList_Check(args[1])) {
        PyErr_SetString(PyExc_TypeError, "has_words(tokens, words: list)");
        return NULL;
    }
    PyObject *tokens = args[0], *words = args[1];
    if (tokens_ok(tokens) < 0)
        return NULL;
    Py_ssize_t n = PyList_GET_SIZE(tokens), nw = PyList_GET_SIZE(words), k = 0;
    long sent = -1;
    for (Py_ssize_t j = 0; j < n; j++) {
        PyObject *t = PyList_GET_ITEM(tokens, j);
        long ts;
        if (sent_of(t, &ts) < 0)
            return NULL;
        if (ts != sent) {
            sent = ts;
            k = 0;
        }
        static const int scopes[4] = {T_QUOTE, T_OTHER, T_REPORTED, T_NEGATED};
        int skip = 0;
        for (int q = 0; q < 4 && !skip; q++) {
            PyObject *v = tget(t, scopes[q]);
            if (v == NULL)
                return NULL;
            skip = PyObject_IsTrue(v);
            if (skip < 0)
                return NULL;
        }
        if (skip)
            continue;
        if (k >= nw) /* no words: Python's words[0] raises */
            return PyErr_Format(PyExc_IndexError, "list index out of range");
        PyObject *w = PyList_GET_ITEM(words, k);
        PyObject *lemma = tget(t, T_LEMMA), *surface = tget(t, T_SURFACE);
        if (lemma == NULL || surface == NULL)
            return NULL;
        int eq = PyObject_RichCompareBool(lemma, w, Py_EQ);
        if (eq == 0)
            eq = PyObject_RichCompareBool(surface, w, Py_EQ);
        if (eq < 0)
            return NULL;
        if (eq && ++k == nw)
            Py_RETURN_TRUE;
    }
    Py_RETURN_FALSE;
}

/* ------------------------------------------------------------------ the module */

static PyMethodDef methods[] = {
    {"has_words", (PyCFunction)(void (*)(void))has_words, METH_FASTCALL,
     "has_words(tokens, words) -> whether one of the sender's sentences has the words in order"},
    {"split", (PyCFunction)(void (*)(void))split, METH_FASTCALL,
     "split(tokens, flags, flags_fn, open_quotes, sentence_fn, boundary_fn, ends_fn) -> (sentences, clause_starts, "
     "opens, quotatives)"},
    {"mark_negation", (PyCFunction)(void (*)(void))mark_negation, METH_FASTCALL,
     "mark_negation(tokens, predicate_pos1, negators, negator_pos1, tail): marks the negated predicates"},
    {"append_tokens", (PyCFunction)(void (*)(void))append_tokens, METH_FASTCALL,
     "append_tokens(morphemes, out, cls, words, miss, at) -> at: Sudachi morphemes as tokens of cls"},
    {"bit_tables", (PyCFunction)(void (*)(void))bit_tables, METH_FASTCALL,
     "bit_tables(tokens, ks, kl, kn, kp) -> (s, lemma, norm, pos1) value -> positions bit mask"},
    {"survivors", (PyCFunction)(void (*)(void))survivors, METH_FASTCALL,
     "survivors(tables, values, re_tests, analysis, always) -> (sat, {rule: {pattern: starts}}); re_tests: (bit, "
     "test, on_text)"},
    {"keep_starts", (PyCFunction)(void (*)(void))keep_starts, METH_FASTCALL,
     "keep_starts(first, tokens, starts, n) -> the starts where first(tokens, k, n) >= 0"},
    {"keep_all", (PyCFunction)(void (*)(void))keep_all, METH_FASTCALL,
     "keep_all(survivors, firsts, tokens, n): keep_starts on every surviving pattern, in place"},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "_speedups", "The per-token loops of the analysis and the prefilter, in C.", -1, methods,
    NULL, NULL, NULL, NULL,
};

PyMODINIT_FUNC PyInit__speedups(void)
{
#define INTERN(var, text)                                 \
    if ((var = PyUnicode_InternFromString(text)) == NULL) \
        return NULL;
    INTERN(str_surface, "surface")
    INTERN(str_word_id, "word_id")
    INTERN(str_ta, "\xe3\x81\x9f")                          /* た */
    INTERN(str_aux, "\xe5\x8a\xa9\xe5\x8b\x95\xe8\xa9\x9e") /* 助動詞 */
    INTERN(str_mask, "mask")
    INTERN(str_offsets, "offsets")
    INTERN(str_ri, "ri")
    INTERN(str_pi, "pi")
    INTERN(str_lemma, "lemma")
    INTERN(str_norm, "norm")
    INTERN(str_pos1, "pos1")
    INTERN(str_text, "text")
    INTERN(str_symbol, "\xe8\xa3\x9c\xe5\x8a\xa9\xe8\xa8\x98\xe5\x8f\xb7")                          /* 補助記号 */
    INTERN(str_space, "\xe7\xa9\xba\xe7\x99\xbd")                                                  /* 空白 */
    INTERN(str_noun, "\xe5\x90\x8d\xe8\xa9\x9e")                                                   /* 名詞 */
    INTERN(str_conj_particle, "\xe5\x8a\xa9\xe8\xa9\x9e,\xe6\x8e\xa5\xe7\xb6\x9a\xe5\x8a\xa9\xe8\xa9\x9e") /* 助詞,接続助詞 */
    INTERN(str_suru, "\xe3\x81\x99\xe3\x82\x8b")                                                   /* する */
    INTERN(str_te, "\xe3\x81\xa6")                                                                    /* て */
    INTERN(str_de, "\xe3\x81\xa7")                                                                    /* で */
    INTERN(str_long_vowel, "\xe3\x83\xbc") /* ー */
    INTERN(str_wave_dash, "\xe3\x80\x9c")  /* 〜 */
    for (int k = 0; k < N_MFIELDS; k++)
        INTERN(mfield_str[k], mfield_names[k])
#undef INTERN
    for (int k = 0; k < 64; k++)
        if ((bit_ints[k] = PyLong_FromUnsignedLongLong(1ULL << k)) == NULL)
            return NULL;
    if (PyType_Ready(&MatcherType) < 0)
        return NULL;
    PyObject *mod = PyModule_Create(&module);
    if (mod == NULL)
        return NULL;
    Py_INCREF(&MatcherType);
    if (PyModule_AddObject(mod, "Matcher", (PyObject *)&MatcherType) < 0) {
        Py_DECREF(&MatcherType);
        Py_DECREF(mod);
        return NULL;
    }
    return mod;
}

/*
 * osslever.sources.gharchive._speedups: GH Archive JSON lines -> gh_events columns, in C.
 *
 * Why this exists: reading an hour of GH Archive (~650 MB of JSON) through
 * msgspec structs and Python tuples costs ~1.2 s of CPU per hour before the
 * store sees a row; this scanner reads the same bytes straight into Arrow
 * column buffers in one pass.
 *
 * It is an accelerator, not a second definition: normalize.py defines every
 * column. This file handles only the common, modern shape of a record (the
 * Events API era) and hands every other line back to Python ("fallback"), which
 * decides it with normalize_line: Timeline-era records, id-less records,
 * timestamps not spelled YYYY-MM-DDTHH:MM:SSZ, extracted strings with escapes
 * or non-ASCII bytes, a known field of an unexpected type, integers outside
 * their column's range, repeated keys, nesting deeper than 64, and anything
 * that is not valid JSON. So it only ever accepts lines that msgspec accepts,
 * and tests/test_gharchive_speedups.py checks both paths give the same table.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

/* ---- columns, in normalize.COLUMNS order ------------------------------- */

enum {
    C_EVENT_ID, C_TYPE, C_ACTION, C_CREATED_AT, C_ACTOR_ID, C_ACTOR_LOGIN, C_REPO_ID,
    C_REPO_NAME, C_ORG_LOGIN, C_NUMBER, C_IS_PR, C_ISSUE_AUTHOR_ID, C_ISSUE_AUTHOR_LOGIN,
    C_ISSUE_CREATED_AT, C_ISSUE_CLOSED_AT, C_PR_MERGED, C_PR_MERGED_AT, C_PR_ADDITIONS,
    C_PR_DELETIONS, C_COMMENT_ID, C_REVIEW_STATE, C_PUSH_SIZE, C_PUSH_DISTINCT_SIZE,
    C_PAYLOAD_TRIMMED, NCOLS
};

/* 's' string, 'i' int64, 't' timestamp (int64 microseconds, UTC), 'b' bool */
static const char KINDS[NCOLS + 1] = "ssstisissibisttbtiiisiib";

typedef struct {
    char *p;
    size_t len, cap;
} Buf;

static int buf_reserve(Buf *b, size_t more) {
    if (b->len + more <= b->cap) return 0;
    size_t cap = b->cap ? b->cap : 4096;
    while (cap < b->len + more) cap *= 2;
    char *p = realloc(b->p, cap);
    if (!p) return -1;
    b->p = p;
    b->cap = cap;
    return 0;
}

typedef struct {
    Buf valid;  /* validity bitmap, LSB first (Arrow) */
    Buf values; /* int64 values, bool bitmap, or int32 offsets */
    Buf data;   /* string bytes */
    int64_t nulls;
} Column;

typedef struct {
    Column cols[NCOLS];
    int64_t rows;
    /* A hash of every event id read into this table since it was made (``take`` keeps
     * them): a repeated hash means the ids may repeat, and Python checks them exactly. */
    uint64_t *ids;
    size_t ids_cap, ids_used;
    int repeats;
} Table;

/* 64-bit hash of an id's bytes (8 at a time; multiply-xorshift mixing). Collisions
 * only cost an exact check in Python, never a wrong answer. */
static uint64_t id_hash(const char *p, Py_ssize_t n) {
    uint64_t h = 0x9E3779B97F4A7C15ULL ^ (uint64_t)n;
    while (n >= 8) {
        uint64_t w;
        memcpy(&w, p, 8);
        h = (h ^ w) * 0xBF58476D1CE4E5B9ULL;
        h ^= h >> 31;
        p += 8;
        n -= 8;
    }
    if (n) {
        uint64_t w = 0;
        memcpy(&w, p, (size_t)n);
        h = (h ^ w) * 0x94D049BB133111EBULL;
        h ^= h >> 29;
    }
    h *= 0xBF58476D1CE4E5B9ULL;
    h ^= h >> 32;
    return h ? h : 1; /* 0 marks an empty slot */
}

/* Add an id's hash to the table's set; -1 out of memory. */
static int note_id(Table *t, const char *p, Py_ssize_t n) {
    if (t->ids_used * 2 >= t->ids_cap) { /* at most half full */
        size_t cap = t->ids_cap ? t->ids_cap * 2 : 1 << 16;
        uint64_t *ids = calloc(cap, sizeof *ids);
        if (!ids) return -1;
        for (size_t i = 0; i < t->ids_cap; i++) {
            uint64_t h = t->ids[i];
            if (!h) continue;
            size_t j = (size_t)h & (cap - 1);
            while (ids[j]) j = (j + 1) & (cap - 1);
            ids[j] = h;
        }
        free(t->ids);
        t->ids = ids;
        t->ids_cap = cap;
    }
    uint64_t h = id_hash(p, n);
    size_t j = (size_t)h & (t->ids_cap - 1);
    while (t->ids[j]) {
        if (t->ids[j] == h) {
            t->repeats = 1;
            return 0;
        }
        j = (j + 1) & (t->ids_cap - 1);
    }
    t->ids[j] = h;
    t->ids_used++;
    return 0;
}

static int set_bit(Buf *b, int64_t i, int on) {
    if ((size_t)(i >> 3) >= b->len) {
        if (buf_reserve(b, 1)) return -1;
        b->p[b->len++] = 0;
    }
    if (on) b->p[i >> 3] |= (char)(1 << (i & 7));
    return 0;
}

/* ---- values read from one line ---------------------------------------- */

typedef struct {
    const char *p; /* NULL: null or absent */
    Py_ssize_t n;
} Str;

typedef struct {
    int64_t v;
    int set;
} Int;

typedef struct {
    Int id;
    Str login;
} User;

typedef struct {
    Int number;
    int user_set;
    User user;
    Int created_at, closed_at;
    int pr_marker;
} Issue;

typedef struct {
    Int number;
    int user_set;
    User user;
    Int created_at, closed_at, merged_at, additions, deletions;
    int merged; /* -1 null */
} PullRequest;

typedef struct {
    Str action;
    Int number, size, distinct_size, comment_id;
    int issue_set, pr_set, comment_set, review_set;
    Issue issue;
    PullRequest pr;
    Int comment_obj_id, review_id;
    Str review_state;
} Payload;

typedef struct {
    Str id; /* string or integer literal */
    Str type;
    Int created_at;
    int actor_set;
    User actor;
    int repo_set;
    Int repo_id;
    Str repo_name;
    Str org_login;
    int payload_set;
    Payload payload;
} Event;

/* ---- the JSON scanner: every function returns 0, or -1 for "fallback" -- */

typedef struct {
    const char *p, *end;
} Cur;

#define FAIL (-1)
#define LOWER_MAX 64 /* longest review state lower-cased here ("changes_requested" is 17) */
#define MAX_DEPTH 64

/* Whitespace between tokens. Not the newline: it ends the line, so no token and
 * no gap ever runs past one (strings refuse raw control bytes too), and a line
 * is parsed without first searching for its end. */
static inline void ws(Cur *c) {
    /* GH Archive writes no whitespace between tokens: one compare settles it */
    if (c->p < c->end && (unsigned char)*c->p > ' ') return;
    while (c->p < c->end && (*c->p == ' ' || *c->p == '\t' || *c->p == '\r')) c->p++;
}

static inline int expect(Cur *c, char ch) {
    ws(c);
    if (c->p >= c->end || *c->p != ch) return FAIL;
    c->p++;
    return 0;
}

static int hex4(const char *p, unsigned *out) {
    unsigned v = 0;
    for (int i = 0; i < 4; i++) {
        char h = p[i];
        v <<= 4;
        if (h >= '0' && h <= '9') v |= (unsigned)(h - '0');
        else if (h >= 'a' && h <= 'f') v |= (unsigned)(h - 'a' + 10);
        else if (h >= 'A' && h <= 'F') v |= (unsigned)(h - 'A' + 10);
        else return FAIL;
    }
    *out = v;
    return 0;
}

/* A JSON string at c->p (the opening quote). ``plain`` set: it had no escape and
 * no byte >= 0x80, so its bytes are its text. Invalid escapes, control bytes,
 * invalid UTF-8 and lone surrogates fail. */
static inline int string(Cur *c, Str *out, int *plain) {
    const unsigned char *p = (const unsigned char *)c->p, *end = (const unsigned char *)c->end;
    if (p >= end || *p != '"') return FAIL;
    const unsigned char *start = ++p;
    int clean = 1;
    for (;;) {
        /* the common case: runs of printable ASCII other than '"' and '\\',
         * 16 bytes a step (SSE2, in every x86-64) or 8 (any other machine) */
#ifdef __SSE2__
        while (p + 16 <= end) {
            __m128i w = _mm_loadu_si128((const __m128i *)p);
            /* signed compare: control bytes and bytes >= 0x80 are both "less than space" */
            __m128i stop = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(w, _mm_set1_epi8('"')),
                                                     _mm_cmpeq_epi8(w, _mm_set1_epi8('\\'))),
                                        _mm_cmplt_epi8(w, _mm_set1_epi8(0x20)));
            int mask = _mm_movemask_epi8(stop);
            if (mask) {
                p += __builtin_ctz((unsigned)mask);
                goto special;
            }
            p += 16;
        }
#else
        while (p + 8 <= end) {
            uint64_t w;
            memcpy(&w, p, 8);
            uint64_t hi = w & 0x8080808080808080ULL;
            uint64_t ctl = (w - 0x2020202020202020ULL) & ~w & 0x8080808080808080ULL;
            uint64_t q = w ^ 0x2222222222222222ULL, bs = w ^ 0x5C5C5C5C5C5C5C5CULL;
            uint64_t zq = (q - 0x0101010101010101ULL) & ~q & 0x8080808080808080ULL;
            uint64_t zb = (bs - 0x0101010101010101ULL) & ~bs & 0x8080808080808080ULL;
            if (hi | ctl | zq | zb) break;
            p += 8;
        }
#endif
        while (p < end && *p >= 0x20 && *p < 0x80 && *p != '"' && *p != '\\') p++;
#ifdef __SSE2__
    special:
#endif
        if (p >= end) return FAIL;
        unsigned ch = *p;
        if (ch == '"') break;
        if (ch < 0x20) return FAIL;
        if (ch == '\\') {
            clean = 0;
            if (p + 1 >= end) return FAIL;
            unsigned e = p[1];
            if (e == 'u') {
                unsigned u;
                if (p + 6 > end || hex4((const char *)p + 2, &u)) return FAIL;
                p += 6;
                if (u >= 0xD800 && u <= 0xDBFF) {
                    unsigned lo;
                    if (p + 6 > end || p[0] != '\\' || p[1] != 'u' || hex4((const char *)p + 2, &lo)) return FAIL;
                    if (lo < 0xDC00 || lo > 0xDFFF) return FAIL;
                    p += 6;
                } else if (u >= 0xDC00 && u <= 0xDFFF) {
                    return FAIL;
                }
                continue;
            }
            if (!(e == '"' || e == '\\' || e == '/' || e == 'b' || e == 'f' || e == 'n' || e == 'r' || e == 't'))
                return FAIL;
            p += 2;
            continue;
        }
        if (ch < 0x80) {
            p++;
            continue;
        }
        /* UTF-8: shortest forms only, no surrogates, at most U+10FFFF */
        clean = 0;
        int n;
        unsigned cp;
        if (ch >= 0xC2 && ch <= 0xDF) n = 1, cp = ch & 0x1F;
        else if (ch >= 0xE0 && ch <= 0xEF) n = 2, cp = ch & 0x0F;
        else if (ch >= 0xF0 && ch <= 0xF4) n = 3, cp = ch & 0x07;
        else return FAIL;
        if (p + n >= end) return FAIL;
        for (int i = 1; i <= n; i++) {
            if ((p[i] & 0xC0) != 0x80) return FAIL;
            cp = (cp << 6) | (p[i] & 0x3F);
        }
        if ((n == 2 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))) || (n == 3 && (cp < 0x10000 || cp > 0x10FFFF)))
            return FAIL;
        p += n + 1;
    }
    if (out) {
        out->p = (const char *)start;
        out->n = (Py_ssize_t)(p - start);
    }
    if (plain) *plain = clean;
    c->p = (const char *)p + 1;
    return 0;
}

/* A JSON number; ``integral`` set when it has no fraction or exponent. */
static int number(Cur *c, Str *text, int *integral) {
    const char *p = c->p, *end = c->end, *start = p;
    int whole = 1;
    if (p < end && *p == '-') p++;
    if (p >= end) return FAIL;
    if (*p == '0') p++;
    else if (*p >= '1' && *p <= '9') while (p < end && *p >= '0' && *p <= '9') p++;
    else return FAIL;
    if (p < end && *p == '.') {
        whole = 0;
        p++;
        if (p >= end || *p < '0' || *p > '9') return FAIL;
        while (p < end && *p >= '0' && *p <= '9') p++;
    }
    if (p < end && (*p == 'e' || *p == 'E')) {
        whole = 0;
        p++;
        if (p < end && (*p == '+' || *p == '-')) p++;
        if (p >= end || *p < '0' || *p > '9') return FAIL;
        while (p < end && *p >= '0' && *p <= '9') p++;
    }
    if (p - start > 40) return FAIL; /* nothing GitHub writes; let msgspec judge */
    text->p = start;
    text->n = (Py_ssize_t)(p - start);
    *integral = whole;
    c->p = p;
    return 0;
}

static int literal(Cur *c, const char *word, size_t n) {
    if ((size_t)(c->end - c->p) < n || memcmp(c->p, word, n) != 0) return FAIL;
    c->p += n;
    return 0;
}

static int skip(Cur *c, int depth);

static int skip_container(Cur *c, int depth, char close, int keys) {
    if (depth > MAX_DEPTH) return FAIL;
    c->p++;
    ws(c);
    if (c->p < c->end && *c->p == close) {
        c->p++;
        return 0;
    }
    for (;;) {
        if (keys) {
            ws(c);
            if (string(c, NULL, NULL) || expect(c, ':')) return FAIL;
        }
        if (skip(c, depth + 1)) return FAIL;
        ws(c);
        if (c->p >= c->end) return FAIL;
        if (*c->p == ',') {
            c->p++;
            continue;
        }
        if (*c->p == close) {
            c->p++;
            return 0;
        }
        return FAIL;
    }
}

/* Any JSON value, checked and passed over. */
static int skip(Cur *c, int depth) {
    ws(c);
    if (c->p >= c->end) return FAIL;
    switch (*c->p) {
    case '"':
        return string(c, NULL, NULL);
    case '{':
        return skip_container(c, depth, '}', 1);
    case '[':
        return skip_container(c, depth, ']', 0);
    case 't':
        return literal(c, "true", 4);
    case 'f':
        return literal(c, "false", 5);
    case 'n':
        return literal(c, "null", 4);
    default: {
        Str t;
        int whole;
        return number(c, &t, &whole);
    }
    }
}

/* ``null`` at the cursor: consumed, 1; otherwise 0. */
static int is_null(Cur *c) {
    ws(c);
    if (c->p < c->end && *c->p == 'n') return literal(c, "null", 4) == 0 ? 1 : FAIL;
    return 0;
}

/* An extracted string: ASCII without escapes (anything else: fallback), or null. */
static int text(Cur *c, Str *out) {
    int n = is_null(c);
    if (n) return n < 0 ? FAIL : (out->p = NULL, 0);
    int plain;
    if (string(c, out, &plain) || !plain) return FAIL;
    return 0;
}

/* An integer within [lo, hi], or null. */
static int integer(Cur *c, Int *out, int64_t lo, int64_t hi) {
    int n = is_null(c);
    if (n) return n < 0 ? FAIL : (out->set = 0, 0);
    Str t;
    int whole;
    if (number(c, &t, &whole) || !whole || t.n > 20) return FAIL;
    const char *p = t.p, *e = t.p + t.n;
    int neg = *p == '-';
    if (neg) p++;
    if (neg && e - p == 1 && *p == '0') return FAIL; /* -0 */
    /* accumulate as a negative number: the range of int64 is asymmetric */
    int64_t v = 0;
    for (; p < e; p++) {
        int d = *p - '0';
        if (v < (INT64_MIN + d) / 10) return FAIL;
        v = v * 10 - d;
    }
    if (!neg) {
        if (v == INT64_MIN) return FAIL;
        v = -v;
    }
    if (v < lo || v > hi) return FAIL;
    out->v = v;
    out->set = 1;
    return 0;
}

#define INT32 (-2147483647LL - 1), 2147483647LL
#define INT64 INT64_MIN, INT64_MAX

static int boolean(Cur *c, int *out) {
    ws(c);
    if (c->p >= c->end) return FAIL;
    if (*c->p == 't') return literal(c, "true", 4) ? FAIL : (*out = 1, 0);
    if (*c->p == 'f') return literal(c, "false", 5) ? FAIL : (*out = 0, 0);
    if (*c->p == 'n') return literal(c, "null", 4) ? FAIL : (*out = -1, 0);
    return FAIL;
}

static int64_t days_from_civil(int64_t y, unsigned m, unsigned d) {
    /* H. Hinnant, "chrono-Compatible Low-Level Date Algorithms" */
    y -= m <= 2;
    const int64_t era = (y >= 0 ? y : y - 399) / 400;
    const unsigned yoe = (unsigned)(y - era * 400);
    const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int64_t)doe - 719468;
}

static int digits(const char *p, int n, unsigned *out) {
    unsigned v = 0;
    for (int i = 0; i < n; i++) {
        if (p[i] < '0' || p[i] > '9') return FAIL;
        v = v * 10 + (unsigned)(p[i] - '0');
    }
    *out = v;
    return 0;
}

/* A time spelled exactly YYYY-MM-DDTHH:MM:SSZ -> microseconds since 1970 (UTC), or null. */
static int timestamp(Cur *c, Int *out) {
    int n = is_null(c);
    if (n) return n < 0 ? FAIL : (out->set = 0, 0);
    Str s;
    int plain;
    if (string(c, &s, &plain) || !plain || s.n != 20) return FAIL;
    const char *p = s.p;
    unsigned y, mo, d, h, mi, se;
    if (digits(p, 4, &y) || p[4] != '-' || digits(p + 5, 2, &mo) || p[7] != '-' || digits(p + 8, 2, &d) ||
        p[10] != 'T' || digits(p + 11, 2, &h) || p[13] != ':' || digits(p + 14, 2, &mi) || p[16] != ':' ||
        digits(p + 17, 2, &se) || p[19] != 'Z')
        return FAIL;
    static const unsigned mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (y < 1 || mo < 1 || mo > 12 || d < 1 || h > 23 || mi > 59 || se > 59) return FAIL;
    unsigned last = mdays[mo - 1] + (mo == 2 && (y % 4 == 0 && (y % 100 != 0 || y % 400 == 0)));
    if (d > last) return FAIL;
    out->v = ((days_from_civil(y, mo, d) * 86400) + h * 3600 + mi * 60 + se) * 1000000LL;
    out->set = 1;
    return 0;
}

/* Objects with known keys: ``each(c, key, n, state)`` reads the value of a key
 * (1 = not a known key: skipped here). A known key seen twice fails. */
typedef int (*KeyFn)(Cur *c, const char *key, Py_ssize_t n, void *state, unsigned *seen);

/* 1 when the object was null, 0 read, FAIL. */
static int object(Cur *c, KeyFn each, void *state, int depth) {
    int n = is_null(c);
    if (n) return n;
    if (depth > MAX_DEPTH || c->p >= c->end || *c->p != '{') return FAIL;
    c->p++;
    ws(c);
    if (c->p < c->end && *c->p == '}') {
        c->p++;
        return 0;
    }
    unsigned seen = 0;
    for (;;) {
        Str key;
        int plain;
        ws(c);
        if (string(c, &key, &plain) || expect(c, ':')) return FAIL;
        if (!plain) return FAIL; /* an escaped key may spell a known one: Python decides */
        int r = each(c, key.p, key.n, state, &seen);
        if (r < 0) return FAIL;
        if (r == 1 && skip(c, depth + 1)) return FAIL;
        ws(c);
        if (c->p >= c->end) return FAIL;
        if (*c->p == ',') {
            c->p++;
            continue;
        }
        if (*c->p == '}') {
            c->p++;
            return 0;
        }
        return FAIL;
    }
}

#define KEY(name) (n == (Py_ssize_t)(sizeof(name) - 1) && memcmp(key, name, sizeof(name) - 1) == 0)
/* mark key number ``bit`` seen, failing on a repeat (msgspec's choice of repeat is not ours to guess) */
#define ONCE(bit)                                 \
    do {                                          \
        if (*seen & (1u << (bit))) return FAIL;   \
        *seen |= 1u << (bit);                     \
    } while (0)

static int user_key(Cur *c, const char *key, Py_ssize_t n, void *state, unsigned *seen) {
    User *u = state;
    if (KEY("id")) {
        ONCE(0);
        return integer(c, &u->id, INT64);
    }
    if (KEY("login")) {
        ONCE(1);
        return text(c, &u->login);
    }
    return 1;
}

static int user(Cur *c, User *u, int *set, int depth) {
    memset(u, 0, sizeof *u);
    int r = object(c, user_key, u, depth);
    if (r < 0) return FAIL;
    *set = r == 0;
    return 0;
}

static int repo_key(Cur *c, const char *key, Py_ssize_t n, void *state, unsigned *seen) {
    Event *e = state;
    if (KEY("id")) {
        ONCE(0);
        return integer(c, &e->repo_id, INT64);
    }
    if (KEY("name")) {
        ONCE(1);
        return text(c, &e->repo_name);
    }
    return 1;
}

static int marker_key(Cur *c, const char *key, Py_ssize_t n, void *state, unsigned *seen) {
    (void)c, (void)key, (void)n, (void)state, (void)seen;
    return 1;
}

static int issue_key(Cur *c, const char *key, Py_ssize_t n, void *state, unsigned *seen) {
    Issue *i = state;
    if (KEY("number")) {
        ONCE(0);
        return integer(c, &i->number, INT32);
    }
    if (KEY("user")) {
        ONCE(1);
        return user(c, &i->user, &i->user_set, 3);
    }
    if (KEY("created_at")) {
        ONCE(2);
        return timestamp(c, &i->created_at);
    }
    if (KEY("closed_at")) {
        ONCE(3);
        return timestamp(c, &i->closed_at);
    }
    if (KEY("pull_request")) {
        ONCE(4);
        int r = object(c, marker_key, NULL, 3);
        if (r < 0) return FAIL;
        i->pr_marker = r == 0;
        return 0;
    }
    return 1;
}

static int pr_key(Cur *c, const char *key, Py_ssize_t n, void *state, unsigned *seen) {
    PullRequest *pr = state;
    if (KEY("number")) {
        ONCE(0);
        return integer(c, &pr->number, INT32);
    }
    if (KEY("user")) {
        ONCE(1);
        return user(c, &pr->user, &pr->user_set, 3);
    }
    if (KEY("created_at")) {
        ONCE(2);
        return timestamp(c, &pr->created_at);
    }
    if (KEY("closed_at")) {
        ONCE(3);
        return timestamp(c, &pr->closed_at);
    }
    if (KEY("merged")) {
        ONCE(4);
        return boolean(c, &pr->merged);
    }
    if (KEY("merged_at")) {
        ONCE(5);
        return timestamp(c, &pr->merged_at);
    }
    if (KEY("additions")) {
        ONCE(6);
        return integer(c, &pr->additions, INT64);
    }
    if (KEY("deletions")) {
        ONCE(7);
        return integer(c, &pr->deletions, INT64);
    }
    return 1;
}

static int id_key(Cur *c, const char *key, Py_ssize_t n, void *state, unsigned *seen) {
    Int *id = state;
    if (KEY("id")) {
        ONCE(0);
        return integer(c, id, INT64);
    }
    return 1;
}

typedef struct {
    Int *id;
    Str *state;
} ReviewState;

static int review_key(Cur *c, const char *key, Py_ssize_t n, void *state, unsigned *seen) {
    ReviewState *r = state;
    if (KEY("id")) {
        ONCE(0);
        return integer(c, r->id, INT64);
    }
    if (KEY("state")) {
        ONCE(1);
        return text(c, r->state);
    }
    return 1;
}

static int payload_key(Cur *c, const char *key, Py_ssize_t n, void *state, unsigned *seen) {
    Payload *pl = state;
    int r;
    if (KEY("action")) {
        ONCE(0);
        return text(c, &pl->action);
    }
    if (KEY("number")) {
        ONCE(1);
        return integer(c, &pl->number, INT32);
    }
    if (KEY("size")) {
        ONCE(2);
        return integer(c, &pl->size, INT32);
    }
    if (KEY("distinct_size")) {
        ONCE(3);
        return integer(c, &pl->distinct_size, INT32);
    }
    if (KEY("issue")) { /* an integer here is the Timeline era's: fallback */
        ONCE(4);
        r = object(c, issue_key, &pl->issue, 2);
        if (r < 0) return FAIL;
        pl->issue_set = r == 0;
        return 0;
    }
    if (KEY("pull_request")) {
        ONCE(5);
        pl->pr.merged = -1;
        r = object(c, pr_key, &pl->pr, 2);
        if (r < 0) return FAIL;
        pl->pr_set = r == 0;
        return 0;
    }
    if (KEY("comment")) {
        ONCE(6);
        r = object(c, id_key, &pl->comment_obj_id, 2);
        if (r < 0) return FAIL;
        pl->comment_set = r == 0;
        return 0;
    }
    if (KEY("comment_id")) {
        ONCE(7);
        return integer(c, &pl->comment_id, INT64);
    }
    if (KEY("review")) {
        ONCE(8);
        ReviewState rs = {&pl->review_id, &pl->review_state};
        r = object(c, review_key, &rs, 2);
        if (r < 0) return FAIL;
        pl->review_set = r == 0;
        return 0;
    }
    return 1;
}

static int event_key(Cur *c, const char *key, Py_ssize_t n, void *state, unsigned *seen) {
    Event *e = state;
    int r;
    if (KEY("id")) {
        ONCE(0);
        ws(c);
        if (c->p < c->end && *c->p == '"') return text(c, &e->id);
        Int v;
        const char *start = c->p;
        if (integer(c, &v, INT64) || !v.set) return FAIL; /* null id: the line path hashes one */
        e->id.p = start;
        e->id.n = (Py_ssize_t)(c->p - start);
        return 0;
    }
    if (KEY("type")) {
        ONCE(1);
        return text(c, &e->type);
    }
    if (KEY("created_at")) {
        ONCE(2);
        return timestamp(c, &e->created_at);
    }
    if (KEY("actor")) { /* a login string here is the Timeline era's: fallback */
        ONCE(3);
        return user(c, &e->actor, &e->actor_set, 1);
    }
    if (KEY("repo")) {
        ONCE(4);
        r = object(c, repo_key, e, 1);
        if (r < 0) return FAIL;
        e->repo_set = r == 0;
        return 0;
    }
    if (KEY("org")) {
        ONCE(5);
        User org;
        int set;
        if (user(c, &org, &set, 1)) return FAIL;
        e->org_login = org.login;
        return 0;
    }
    if (KEY("payload")) {
        ONCE(6);
        r = object(c, payload_key, &e->payload, 1);
        if (r < 0) return FAIL;
        e->payload_set = r == 0;
        return 0;
    }
    if (KEY("repository") || KEY("actor_attributes")) return FAIL; /* Timeline era: Python decides */
    return 1;
}

/* ---- one event -> one row (normalize.normalize, for this shape) ------- */

static int put_str(Column *col, int64_t row, Str s) {
    if (row == 0) {
        if (buf_reserve(&col->values, 4)) return -1;
        memset(col->values.p, 0, 4);
        col->values.len = 4;
    }
    if (set_bit(&col->valid, row, s.p != NULL)) return -1;
    if (s.p == NULL) col->nulls++;
    else if (s.n) { /* an empty string adds no bytes (and the buffer may not exist yet) */
        if (buf_reserve(&col->data, (size_t)s.n)) return -1;
        memcpy(col->data.p + col->data.len, s.p, (size_t)s.n);
        col->data.len += (size_t)s.n;
    }
    if (col->data.len > INT32_MAX || buf_reserve(&col->values, 4)) return -1;
    int32_t off = (int32_t)col->data.len;
    memcpy(col->values.p + col->values.len, &off, 4);
    col->values.len += 4;
    return 0;
}

static int put_int(Column *col, int64_t row, Int v) {
    if (set_bit(&col->valid, row, v.set)) return -1;
    if (!v.set) col->nulls++;
    if (buf_reserve(&col->values, 8)) return -1;
    int64_t x = v.set ? v.v : 0;
    memcpy(col->values.p + col->values.len, &x, 8);
    col->values.len += 8;
    return 0;
}

static int put_bool(Column *col, int64_t row, int v) {
    if (set_bit(&col->valid, row, v >= 0)) return -1;
    if (v < 0) col->nulls++;
    return set_bit(&col->values, row, v == 1);
}

static Int none_int(void) {
    Int v = {0, 0};
    return v;
}

static int is_type(Str t, const char *name) {
    size_t n = strlen(name);
    return t.p && (size_t)t.n == n && memcmp(t.p, name, n) == 0;
}

/* 0 row added; 1 not this shape (fallback); -1 out of memory. */
static int emit(Table *t, const Event *e, char *lower) {
    if (!e->id.p || e->id.n == 0 || !e->type.p || e->type.n == 0 || !e->created_at.set) return 1;
    Str none = {NULL, 0};
    Str action = none, author_login = none, review_state = none;
    Int number = none_int(), author_id = none_int(), issue_created = none_int(), issue_closed = none_int();
    Int merged_at = none_int(), additions = none_int(), deletions = none_int(), comment_id = none_int();
    Int push_size = none_int(), push_distinct = none_int();
    int is_pr = -1, merged = -1, trimmed = 0;
    if (e->payload_set) {
        const Payload *pl = &e->payload;
        action = pl->action;
        number = pl->number;
        if (pl->issue_set) {
            if (!number.set) number = pl->issue.number;
            is_pr = pl->issue.pr_marker;
            if (pl->issue.user_set) author_id = pl->issue.user.id, author_login = pl->issue.user.login;
            issue_created = pl->issue.created_at;
            issue_closed = pl->issue.closed_at;
        } else if (is_type(e->type, "IssuesEvent") || is_type(e->type, "IssueCommentEvent")) {
            is_pr = 0;
        }
        if (is_type(e->type, "PullRequestEvent") || is_type(e->type, "PullRequestReviewEvent") ||
            is_type(e->type, "PullRequestReviewCommentEvent")) {
            is_pr = 1;
            if (!pl->pr_set) {
                trimmed = 1;
            } else {
                const PullRequest *pr = &pl->pr;
                if (!number.set) number = pr->number;
                if (pr->user_set) {
                    author_id = pr->user.id, author_login = pr->user.login;
                    issue_created = pr->created_at;
                    issue_closed = pr->closed_at;
                } else {
                    trimmed = 1;
                }
                if (is_type(e->type, "PullRequestEvent")) {
                    merged = pr->merged;
                    merged_at = pr->merged_at;
                    if (merged < 0 && pr->user_set && pr->closed_at.set) merged = merged_at.set;
                    additions = pr->additions, deletions = pr->deletions;
                }
            }
        }
        comment_id = pl->comment_set ? pl->comment_obj_id : pl->comment_id;
        if (pl->review_set) {
            if (!comment_id.set) comment_id = pl->review_id;
            if (pl->review_state.p && pl->review_state.n) {
                if (pl->review_state.n > LOWER_MAX) return 1; /* no such state: Python decides */
                for (Py_ssize_t i = 0; i < pl->review_state.n; i++) {
                    char ch = pl->review_state.p[i];
                    lower[i] = (char)(ch >= 'A' && ch <= 'Z' ? ch + 32 : ch);
                }
                review_state.p = lower;
                review_state.n = pl->review_state.n;
            }
        }
        if (is_type(e->type, "PushEvent")) {
            push_size = pl->size;
            push_distinct = pl->distinct_size;
            if (!push_size.set) trimmed = 1;
        }
    }
    Int actor_id = e->actor_set ? e->actor.id : none_int();
    Str actor_login = e->actor_set ? e->actor.login : none;
    Int repo_id = e->repo_set ? e->repo_id : none_int();
    Str repo_name = e->repo_set ? e->repo_name : none;
    int64_t r = t->rows;
    Column *c = t->cols;
    if (put_str(&c[C_EVENT_ID], r, e->id) || put_str(&c[C_TYPE], r, e->type) || put_str(&c[C_ACTION], r, action) ||
        put_int(&c[C_CREATED_AT], r, e->created_at) || put_int(&c[C_ACTOR_ID], r, actor_id) ||
        put_str(&c[C_ACTOR_LOGIN], r, actor_login) || put_int(&c[C_REPO_ID], r, repo_id) ||
        put_str(&c[C_REPO_NAME], r, repo_name) || put_str(&c[C_ORG_LOGIN], r, e->org_login) ||
        put_int(&c[C_NUMBER], r, number) || put_bool(&c[C_IS_PR], r, is_pr) ||
        put_int(&c[C_ISSUE_AUTHOR_ID], r, author_id) || put_str(&c[C_ISSUE_AUTHOR_LOGIN], r, author_login) ||
        put_int(&c[C_ISSUE_CREATED_AT], r, issue_created) || put_int(&c[C_ISSUE_CLOSED_AT], r, issue_closed) ||
        put_bool(&c[C_PR_MERGED], r, merged) || put_int(&c[C_PR_MERGED_AT], r, merged_at) ||
        put_int(&c[C_PR_ADDITIONS], r, additions) || put_int(&c[C_PR_DELETIONS], r, deletions) ||
        put_int(&c[C_COMMENT_ID], r, comment_id) || put_str(&c[C_REVIEW_STATE], r, review_state) ||
        put_int(&c[C_PUSH_SIZE], r, push_size) || put_int(&c[C_PUSH_DISTINCT_SIZE], r, push_distinct) ||
        put_bool(&c[C_PAYLOAD_TRIMMED], r, trimmed) || note_id(t, e->id.p, e->id.n))
        return -1;
    t->rows++;
    return 0;
}

/* The line at ``p`` (``end``: the end of the buffer): 0 read, 1 fallback, 2 blank,
 * -1 out of memory. ``*eol`` is set to its newline (or ``end``) unless it is 1. */
static int line(Table *t, const char *p, const char *end, char *lower, const char **eol) {
    Cur c = {p, end};
    ws(&c);
    if (c.p == end || *c.p == '\n') {
        *eol = c.p;
        return 2;
    }
    Event e;
    memset(&e, 0, sizeof e);
    e.payload.pr.merged = -1;
    if (object(&c, event_key, &e, 0) != 0) return 1;
    ws(&c);
    if (c.p != end && *c.p != '\n') return 1;
    *eol = c.p;
    return emit(t, &e, lower);
}

/* ---- Python glue ------------------------------------------------------- */

static PyObject *as_bytes(Buf *b) {
    return PyBytes_FromStringAndSize(b->p ? b->p : "", (Py_ssize_t)b->len);
}

static void table_free(Table *t) {
    for (int i = 0; i < NCOLS; i++) {
        free(t->cols[i].valid.p);
        free(t->cols[i].values.p);
        free(t->cols[i].data.p);
    }
    free(t->ids);
}

/* Scan buffer[start:end] into ``t`` (appending to its rows), with the GIL released.
 * Returns the fallback list — (rows_before, line_index, line_start, line_end) of each
 * line Python must decide, rows_before counting ``t``'s rows — or NULL with an
 * exception set; ``*lines_out`` gets the newlines passed. */
static PyObject *scan_lines(Table *t, PyObject *args, int64_t *lines_out) {
    Py_buffer view;
    Py_ssize_t start, end;
    if (!PyArg_ParseTuple(args, "y*nn", &view, &start, &end)) return NULL;
    if (start < 0 || end > view.len || start > end) {
        PyBuffer_Release(&view);
        PyErr_SetString(PyExc_ValueError, "start/end outside the buffer");
        return NULL;
    }
    PyObject *fallback = PyList_New(0);
    if (!fallback) {
        PyBuffer_Release(&view);
        return NULL;
    }
    const char *base = view.buf, *p = base + start, *stop = base + end;
    int64_t lines = 0;
    int oom = 0;
    char lower[LOWER_MAX];
    /* The GIL is released while scanning: fallback entries are collected as
     * plain numbers first and turned into Python objects afterwards. */
    Buf marks = {0};
    Py_BEGIN_ALLOW_THREADS
    while (p < stop) {
        const char *eol = stop;
        int r = line(t, p, stop, lower, &eol);
        if (r < 0) {
            oom = 1;
            break;
        }
        if (r == 1) {
            const char *nl = memchr(p, '\n', (size_t)(stop - p));
            eol = nl ? nl : stop;
            int64_t mark[4] = {t->rows, lines, (int64_t)(p - base), (int64_t)(eol - base)};
            if (buf_reserve(&marks, sizeof mark)) {
                oom = 1;
                break;
            }
            memcpy(marks.p + marks.len, mark, sizeof mark);
            marks.len += sizeof mark;
        }
        if (eol < stop) lines++;
        p = eol + 1;
    }
    Py_END_ALLOW_THREADS
    PyBuffer_Release(&view);
    if (oom) {
        PyErr_NoMemory();
        goto fail;
    }
    for (size_t i = 0; i < marks.len; i += sizeof(int64_t) * 4) {
        int64_t m[4];
        memcpy(m, marks.p + i, sizeof m);
        PyObject *entry = Py_BuildValue("(LLnn)", (long long)m[0], (long long)m[1], (Py_ssize_t)m[2], (Py_ssize_t)m[3]);
        if (!entry || PyList_Append(fallback, entry)) {
            Py_XDECREF(entry);
            goto fail;
        }
        Py_DECREF(entry);
    }
    free(marks.p);
    *lines_out = lines;
    return fallback;
fail:
    free(marks.p);
    Py_DECREF(fallback);
    return NULL;
}

/* The columns of ``t`` as Python objects: for each column (kind, nulls, validity, values, data). */
static PyObject *columns_of(Table *t) {
    PyObject *columns = PyTuple_New(NCOLS);
    if (!columns) return NULL;
    for (int i = 0; i < NCOLS; i++) {
        Column *col = &t->cols[i];
        if (t->rows == 0 && KINDS[i] == 's') { /* one offset, 0, even for no rows */
            if (buf_reserve(&col->values, 4)) {
                Py_DECREF(columns);
                return PyErr_NoMemory();
            }
            memset(col->values.p, 0, 4);
            col->values.len = 4;
        }
        PyObject *item = Py_BuildValue("(CLNNN)", KINDS[i], (long long)col->nulls, as_bytes(&col->valid),
                                       as_bytes(&col->values), as_bytes(&col->data));
        if (!item) {
            Py_DECREF(columns);
            return NULL;
        }
        PyTuple_SET_ITEM(columns, i, item);
    }
    return columns;
}

/* Empty ``t`` for its next rows, keeping its buffers (no new pages for the next batch). */
static void table_clear(Table *t) {
    for (int i = 0; i < NCOLS; i++) {
        t->cols[i].valid.len = t->cols[i].values.len = t->cols[i].data.len = 0;
        t->cols[i].nulls = 0;
    }
    t->rows = 0;
}

/* ---- a table filled by several scans: one Arrow batch for many chunks ---- */

#define TABLE_CAPSULE "osslever.gharchive.table"

static void capsule_free(PyObject *capsule) {
    Table *t = PyCapsule_GetPointer(capsule, TABLE_CAPSULE);
    if (t) {
        table_free(t);
        free(t);
    }
}

static Table *table_arg(PyObject *capsule) {
    return PyCapsule_GetPointer(capsule, TABLE_CAPSULE); /* NULL and TypeError/ValueError if not one */
}

PyDoc_STRVAR(table_doc, "table() -> an empty table for scan_into/take (one per thread at a time).");

static PyObject *new_table(PyObject *self, PyObject *unused) {
    (void)self;
    (void)unused;
    Table *t = calloc(1, sizeof *t);
    if (!t) return PyErr_NoMemory();
    PyObject *capsule = PyCapsule_New(t, TABLE_CAPSULE, capsule_free);
    if (!capsule) free(t);
    return capsule;
}

PyDoc_STRVAR(scan_into_doc,
             "scan_into(table, buffer, start, end) -> (rows, lines, fallback)\n\n"
             "Read the JSON lines of buffer[start:end] (ending in a newline) into table's gh_events\n"
             "columns (see take). rows: how many rows table holds now; lines: newlines passed;\n"
             "fallback: (rows_before, line_index, line_start, line_end) of each line Python must\n"
             "decide (normalize_line), rows_before counting table's rows.");

static PyObject *scan_into(PyObject *self, PyObject *args) {
    (void)self;
    Py_ssize_t n = PyTuple_GET_SIZE(args);
    if (n != 4) {
        PyErr_SetString(PyExc_TypeError, "scan_into(table, buffer, start, end)");
        return NULL;
    }
    Table *t = table_arg(PyTuple_GET_ITEM(args, 0));
    if (!t) return NULL;
    PyObject *rest = PyTuple_GetSlice(args, 1, 4);
    if (!rest) return NULL;
    int64_t lines = 0;
    PyObject *fallback = scan_lines(t, rest, &lines);
    Py_DECREF(rest);
    if (!fallback) return NULL;
    PyObject *result = Py_BuildValue("(LLO)", (long long)t->rows, (long long)lines, fallback);
    Py_DECREF(fallback);
    return result;
}

PyDoc_STRVAR(take_doc,
             "take(table) -> (rows, columns)\n\n"
             "The table's rows so far; columns: for each of normalize.COLUMNS, (kind, nulls,\n"
             "validity, values, data) with Arrow buffers. The table is then empty again.");

static PyObject *take(PyObject *self, PyObject *capsule) {
    (void)self;
    Table *t = table_arg(capsule);
    if (!t) return NULL;
    PyObject *columns = columns_of(t);
    if (!columns) return NULL;
    PyObject *result = Py_BuildValue("(LN)", (long long)t->rows, columns);
    table_clear(t);
    return result;
}

PyDoc_STRVAR(repeats_doc,
             "repeats(table) -> bool\n\n"
             "False when no two rows ever read into table had the same event id; True when two may\n"
             "have (their ids' hashes met): check them exactly.");

static PyObject *repeats(PyObject *self, PyObject *capsule) {
    (void)self;
    Table *t = table_arg(capsule);
    if (!t) return NULL;
    return PyBool_FromLong(t->repeats);
}

static PyMethodDef methods[] = {
    {"table", new_table, METH_NOARGS, table_doc},
    {"scan_into", scan_into, METH_VARARGS, scan_into_doc},
    {"take", take, METH_O, take_doc},
    {"repeats", repeats, METH_O, repeats_doc},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "_speedups",
    "GH Archive JSON lines -> gh_events column buffers (the accelerator of normalize.py).", -1, methods,
    NULL, NULL, NULL, NULL,
};

PyMODINIT_FUNC PyInit__speedups(void) {
    PyObject *m = PyModule_Create(&module);
    if (m && PyModule_AddIntConstant(m, "COLUMNS", NCOLS)) {
        Py_DECREF(m);
        return NULL;
    }
    return m;
}

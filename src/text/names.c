/* names.c — identifier → index maps for the text formats' index spaces (core spec §6.6.1
 * "Indices", §6.6.4 identifier contexts).  Open addressing with linear probing over
 * borrowed keys. */
#include "text/names.h"
#include "base/alloc.h"
#include "text/numbers.h"
#include <string.h>

static uint64_t hash_name(const char *s, size_t n) {
  uint64_t h = 0xcbf29ce484222325ull; /* FNV-1a */
  for (size_t i = 0; i < n; i++) {
    h ^= (unsigned char)s[i];
    h *= 0x100000001b3ull;
  }
  return h;
}

static int grow(text_space_t *s) {
  size_t ncap = s->cap ? s->cap * 2 : 16;
  size_t bytes;
  if (!base_mul_ok(ncap, sizeof(text_space_entry_t), &bytes)) return -1;
  text_space_entry_t *ns = base_calloc(ncap, sizeof(text_space_entry_t));
  if (!ns) return -1;
  for (size_t i = 0; i < s->cap; i++) {
    text_space_entry_t *e = &s->slots[i];
    if (!e->name) continue;
    size_t j = hash_name(e->name, e->len) & (ncap - 1);
    while (ns[j].name) j = (j + 1) & (ncap - 1);
    ns[j] = *e;
  }
  base_free(s->slots, s->cap * sizeof(text_space_entry_t));
  s->slots = ns;
  s->cap = ncap;
  return 0;
}

int text_space_bind(text_space_t *s, const char *name, size_t len, uint32_t index) {
  if ((s->used + 1) * 4 > s->cap * 3 && grow(s)) return -1;
  size_t j = hash_name(name, len) & (s->cap - 1);
  while (s->slots[j].name) {
    if (s->slots[j].len == len && memcmp(s->slots[j].name, name, len) == 0) return 1;
    j = (j + 1) & (s->cap - 1);
  }
  s->slots[j].name = len ? name : "";
  s->slots[j].len = len;
  s->slots[j].index = index;
  s->used++;
  return 0;
}

int text_space_lookup(const text_space_t *s, const char *name, size_t len, uint32_t *index) {
  if (!s->cap) return -1;
  size_t j = hash_name(name, len) & (s->cap - 1);
  while (s->slots[j].name) {
    if (s->slots[j].len == len && memcmp(s->slots[j].name, name, len) == 0) {
      *index = s->slots[j].index;
      return 0;
    }
    j = (j + 1) & (s->cap - 1);
  }
  return -1;
}

void text_space_clear(text_space_t *s) {
  if (s->cap) memset(s->slots, 0, s->cap * sizeof(text_space_entry_t));
  s->used = 0;
}

void text_space_free(text_space_t *s) {
  base_free(s->slots, s->cap * sizeof(text_space_entry_t));
  s->slots = NULL;
  s->cap = s->used = 0;
}

weld_error_t *text_space_bind_id(text_space_t *s, const text_doc_t *doc, const text_sx_t *id,
                                 uint32_t index, const char *space_name) {
  if (!id) return NULL;
  const char *name;
  size_t len;
  text_sx_id_name(id, &name, &len);
  int r = text_space_bind(s, name, len, index);
  if (r < 0) return base_error_oom();
  if (r > 0) return text_error(doc, id, "duplicate %s %.*s", space_name, (int)(id->len > 200 ? 200 : id->len), id->text);
  return NULL;
}

int text_is_index(const text_sx_t *x) {
  if (x->kind == SX_ID) return 1;
  return x->kind == SX_ATOM && x->len > 0 && x->text[0] >= '0' && x->text[0] <= '9';
}

weld_error_t *text_space_resolve(const text_space_t *s, const text_doc_t *doc, const text_sx_t *x,
                                 const char *space_name, uint32_t *index) {
  if (x->kind == SX_ID) {
    const char *name;
    size_t len;
    text_sx_id_name(x, &name, &len);
    if (text_space_lookup(s, name, len, index) == 0) return NULL;
    return text_error(doc, x, "unknown %s %.*s", space_name, (int)(x->len > 200 ? 200 : x->len), x->text);
  }
  if (x->kind == SX_ATOM && text_parse_u32(x->text, x->len, index) == 0) return NULL;
  if (x->kind == SX_ATOM && x->len > 0 && x->text[0] >= '0' && x->text[0] <= '9')
    return text_error(doc, x, "%s index out of range or malformed: %.*s", space_name, (int)(x->len > 200 ? 200 : x->len), x->text);
  return text_error(doc, x, "unexpected token: expected a %s index", space_name);
}

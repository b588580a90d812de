/* fuzz_component.c — libFuzzer target for component binaries: comp_decode (the component
 * binary format, design/mvp/Binary.md, and the whole validator/type checker of
 * src/component, embedded core modules included), with the optional `value` sort enabled
 * so that the start section and value imports/exports are exercised too.
 *
 * Checks beyond "no crash, leak or sanitizer report": every error has a message and an
 * offset inside the input; a valid component's index spaces only name types of its arena.
 * Build and run: see tests/fuzz/README.md (seed corpus: tests/component/dev_corpus.py
 * --save DIR). */
#include "component/component.h"
#include "weld.h"
#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_tree(const comp_component_t *c, uint32_t ntypes) {
  if (c->type >= ntypes) __builtin_trap();
  for (int s = 0; s < COMP_SORT_COUNT; s++)
    for (uint32_t i = 0; i < c->space[s].len; i++) {
      if (c->space[s].entries[i].type >= ntypes) __builtin_trap();
      if (c->space[s].entries[i].item >= c->nitems) __builtin_trap();
    }
  for (uint32_t i = 0; i < c->nitems; i++)
    if (c->items[i].kind == COMP_ITEM_COMPONENT) check_tree(c->items[i].u.component, ntypes);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  static weld_engine_t *engine;
  if (!engine) engine = weld_engine_new(NULL);
  comp_features_t features = {.values = true};
  comp_component_t *c = NULL;
  weld_error_t *err = comp_decode(engine, data, size, &features, &c);
  if (err) {
    if (!weld_error_message(err)[0]) __builtin_trap();
    size_t off = weld_error_offset(err);
    if (off != (size_t)-1 && off > size) __builtin_trap();
    weld_error_delete(err);
    return 0;
  }
  check_tree(c, c->types->len);
  comp_component_free(c);
  return 0;
}

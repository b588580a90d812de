/* validate_api.c — weld_component_validate: the Component Model's validity of a component
 * binary (design/mvp/Binary.md decoding, Explainer.md validation, as comp_decode implements
 * them) for tools and conformance suites, without the instantiation restrictions that
 * weld_component_new adds at the root (root-level component imports and exports, reexported
 * imported functions), which are valid components that weld does not instantiate. */
#include "component/component.h"
#include "base/error.h"

weld_error_t *weld_component_validate(weld_engine_t *engine, const uint8_t *bytes, size_t len, uint32_t features) {
  if (!engine || (!bytes && len)) return base_error("weld_component_validate: invalid argument");
  comp_features_t f = {.values = (features & WELD_CFEATURE_VALUES) != 0};
  comp_component_t *root = NULL;
  weld_error_t *err = comp_decode(engine, bytes ? bytes : (const uint8_t *)"", len, &f, &root);
  if (root) comp_component_free(root);
  return err;
}

/* val.c — public value kinds (weld/val.h) and their correspondence with the binary value
 * types of core spec §5.3 "Types" (numtype, vectype, reftype). */
#include "core/runtime.h"

const char *weld_valkind_name(weld_valkind_t k) {
  switch (k) {
  case WELD_I32: return "i32";
  case WELD_I64: return "i64";
  case WELD_F32: return "f32";
  case WELD_F64: return "f64";
  case WELD_V128: return "v128";
  case WELD_FUNCREF: return "funcref";
  case WELD_EXTERNREF: return "externref";
  }
  return "<unknown>";
}

uint8_t core_valkind_to_type(weld_valkind_t k) {
  switch (k) {
  case WELD_I32: return VT_I32;
  case WELD_I64: return VT_I64;
  case WELD_F32: return VT_F32;
  case WELD_F64: return VT_F64;
  case WELD_V128: return VT_V128;
  case WELD_FUNCREF: return VT_FUNCREF;
  case WELD_EXTERNREF: return VT_EXTERNREF;
  }
  return 0;
}

weld_valkind_t core_type_to_valkind(uint8_t t) {
  switch (t) {
  case VT_I64: return WELD_I64;
  case VT_F32: return WELD_F32;
  case VT_F64: return WELD_F64;
  case VT_V128: return WELD_V128;
  case VT_FUNCREF: return WELD_FUNCREF;
  case VT_EXTERNREF: return WELD_EXTERNREF;
  default: return WELD_I32;
  }
}

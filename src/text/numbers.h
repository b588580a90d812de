/* numbers.h — numeric literals of the text format (core spec §6.3.1 "Integers",
 * §6.3.2 "Floating-Point"): decimal and hex, '_' separators, signs, inf, nan, nan:0x...
 * All return 0 on success, -1 if the text is not a literal of that type or is out of range.
 * Floats are returned as bit patterns so NaN payloads and signs are exact; rounding of
 * decimal and hex literals is round-to-nearest-even, as the spec requires. */
#ifndef WELD_TEXT_NUMBERS_H
#define WELD_TEXT_NUMBERS_H
#include <stddef.h>
#include <stdint.h>

/* i32/i64 accept both signed and unsigned ranges (e.g. -1 and 0xffffffff for i32). */
int text_parse_i32(const char *s, size_t n, uint32_t *out);
int text_parse_i64(const char *s, size_t n, uint64_t *out);
/* Unsigned only (indices, alignments, offsets, lane indices). */
int text_parse_u32(const char *s, size_t n, uint32_t *out);
int text_parse_u64(const char *s, size_t n, uint64_t *out);
/* i8/i16 lanes of v128.const: accept signed and unsigned ranges. */
int text_parse_i8(const char *s, size_t n, uint8_t *out);
int text_parse_i16(const char *s, size_t n, uint16_t *out);
int text_parse_f32(const char *s, size_t n, uint32_t *bits);
int text_parse_f64(const char *s, size_t n, uint64_t *bits);

#endif

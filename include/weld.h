/* weld.h — umbrella header for the weld WebAssembly runtime. */
#ifndef WELD_H
#define WELD_H
#include "weld/common.h"
#include "weld/error.h"
#include "weld/engine.h"
#include "weld/val.h"
#include "weld/trap.h"
#include "weld/module.h"
#include "weld/store.h"
#include "weld/instance.h"
#include "weld/func.h"
#include "weld/memory.h"
#include "weld/table.h"
#include "weld/global.h"
#include "weld/wit.h"
#include "weld/component.h"
#endif

# Thin wrapper over CMake for the README's commands.
BUILD ?= build
JOBS ?= $(shell nproc 2>/dev/null || echo 2)
CMAKE_FLAGS ?=

.PHONY: all check bench asan clean install example

all:
	@cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=Release $(CMAKE_FLAGS) >/dev/null
	@cmake --build $(BUILD) -j $(JOBS)

check: all
	@bash tests/run.sh $(BUILD)

# The embedding example (examples/hello.c): build and run it.
example: all
	@$(BUILD)/examples/hello

bench: all
	@bash bench/run.sh $(BUILD)

# ASan + UBSan build in build-asan/ (make asan check BUILD=build-asan also works)
asan:
	@$(MAKE) all BUILD=build-asan CMAKE_FLAGS="-DWELD_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug"

install: all
	cmake --install $(BUILD)

clean:
	rm -rf $(BUILD) build-asan

# Shared by functions/*/Makefile. `sam build` runs `make --makefile functions/<name>/Makefile
# build-<LogicalId>` in a scratch copy of functions/<name>/; the handler is the only file a function
# ships: claimwatch and every dependency come from CoreLayer/NlpLayer.
FUNCTION_DIR := $(patsubst %/,%,$(dir $(abspath $(firstword $(MAKEFILE_LIST)))))

.PHONY: copy-handler

copy-handler:
	@test -n "$(ARTIFACTS_DIR)" || { echo "ARTIFACTS_DIR is unset: build functions with 'sam build'"; exit 1; }
	mkdir -p "$(ARTIFACTS_DIR)"
	cp "$(FUNCTION_DIR)/app.py" "$(ARTIFACTS_DIR)/app.py"

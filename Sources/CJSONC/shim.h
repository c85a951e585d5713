/* json-c, the JSON parser and writer behind libsac's weights and checkpoints (Debian libjson-c-dev). */
#include <json-c/json.h>

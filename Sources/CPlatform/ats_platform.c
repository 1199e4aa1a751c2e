// The header's functions are inline; a C target needs one source file.
#include "ats_platform.h"

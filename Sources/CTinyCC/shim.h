/* The only C header graphc imports: libtcc's API (Debian libtcc-dev 0.9.27). */
#include <libtcc.h>

// Only what the kernel's message signatures need: HMAC-SHA256 and a constant-time compare.
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

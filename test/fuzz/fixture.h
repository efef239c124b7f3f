/*
 * fixture.h - the relying party the token targets pretend to be, shared by
 * the targets and make_seeds.c (which signs the seed tokens for it).
 */
#ifndef AC_FUZZ_FIXTURE_H
#define AC_FUZZ_FIXTURE_H

#define FZ_ISS "https://idp.example"
#define FZ_CLIENT "client-1"
#define FZ_NONCE "n-0S6_WzA2Mj"
#define FZ_SECRET "a client secret of at least thirty-two bytes"
#define FZ_ACCESS_TOKEN "SlAV32hkKG"
#define FZ_SKEW 60
#define FZ_MAX_AGE 600

/* sealing the cache values of fuzz_unseal */
#define FZ_PASSPHRASE "fuzzing passphrase, public"
/* the second one fuzz_unseal configures: it opens, it does not seal */
#define FZ_OLD_PASSPHRASE "an older passphrase"
#define FZ_CACHE_TYPE "session"
#define FZ_CACHE_ID "kq3Q8d1vWm0ZbJx2yPc7Tg"

#endif

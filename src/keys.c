/*
 * keys.c - private keys from PEM files, and their cjose JWK form for
 * private_key_jwt; cjose keys released with a pool.
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/pem.h>

#include <cjose/cjose.h>

#include "keys.h"

/* RFC 7518 3.3: RS* keys of 2048 bits or more. */
#define AC_CLIENT_RSA_MIN_BITS 2048
/* P-256 coordinates and scalar, left-padded as JWK requires. */
#define AC_P256_BYTES 32

typedef struct bn_bytes {
    uint8_t *data;
    size_t len;
} bn_bytes;

static apr_status_t pkey_cleanup(void *data)
{
    EVP_PKEY_free(data);
    return APR_SUCCESS;
}

/* Any passphrase request fails: the alternative is OpenSSL prompting on
 * httpd's stdin at startup. */
static int no_passphrase(char *buf, int size, int rwflag, void *u)
{
    (void)buf;
    (void)size;
    (void)rwflag;
    (void)u;
    return -1;
}

ac_error *ac_pem_private_key_load(apr_pool_t *p, const char *path,
                                  const char *what, void **pkey)
{
    EVP_PKEY *key;
    BIO *bio;

    *pkey = NULL;
    if (path == NULL || *path == '\0') {
        return ac_error_make(p, AC_E_KEY_FILE, "no file is named for %s",
                             what);
    }
    bio = BIO_new_file(path, "r");
    if (bio == NULL) {
        ERR_clear_error();
        return ac_error_make(p, AC_E_KEY_FILE,
                             "cannot open %s (%s); check the path and that "
                             "httpd may read it", path, what);
    }
    key = PEM_read_bio_PrivateKey(bio, NULL, no_passphrase, NULL);
    BIO_free(bio);
    /* leftover errors would surface in the next unrelated TLS call */
    ERR_clear_error();
    if (key == NULL) {
        return ac_error_make(p, AC_E_KEY_FILE,
                             "%s holds no unencrypted PEM private key (%s); "
                             "convert it with openssl pkey -in old.pem "
                             "-out new.pem", path, what);
    }
    apr_pool_cleanup_register(p, key, pkey_cleanup, apr_pool_cleanup_null);
    *pkey = key;
    return NULL;
}

/* One big-number parameter as big-endian bytes, left-padded to `pad`
 * (0: minimal length); 0 (false) when absent. */
static int param_bytes(apr_pool_t *p, const EVP_PKEY *key, const char *name,
                       int pad, bn_bytes *out)
{
    BIGNUM *bn = NULL;
    int len;

    if (EVP_PKEY_get_bn_param(key, name, &bn) != 1) {
        return 0;
    }
    len = pad > 0 ? pad : BN_num_bytes(bn);
    out->data = apr_palloc(p, len > 0 ? (apr_size_t)len : 1);
    out->len = (size_t)BN_bn2binpad(bn, out->data, len);
    BN_clear_free(bn);
    return out->len == (size_t)len;
}

static void bytes_cleanse(bn_bytes *b, int n)
{
    int i;

    for (i = 0; i < n; i++) {
        if (b[i].data != NULL) {
            OPENSSL_cleanse(b[i].data, b[i].len);
        }
    }
}

static cjose_jwk_t *rsa_jwk(apr_pool_t *p, const EVP_PKEY *key)
{
    static const char *const names[8] = {
        OSSL_PKEY_PARAM_RSA_E, OSSL_PKEY_PARAM_RSA_N, OSSL_PKEY_PARAM_RSA_D,
        OSSL_PKEY_PARAM_RSA_FACTOR1, OSSL_PKEY_PARAM_RSA_FACTOR2,
        OSSL_PKEY_PARAM_RSA_EXPONENT1, OSSL_PKEY_PARAM_RSA_EXPONENT2,
        OSSL_PKEY_PARAM_RSA_COEFFICIENT1
    };
    bn_bytes b[8];
    cjose_jwk_rsa_keyspec spec;
    cjose_jwk_t *jwk = NULL;
    int i, ok = 1;

    memset(b, 0, sizeof(b));
    for (i = 0; i < 8 && ok; i++) {
        ok = param_bytes(p, key, names[i], 0, &b[i]);
    }
    if (ok) {
        spec.e = b[0].data; spec.elen = b[0].len;
        spec.n = b[1].data; spec.nlen = b[1].len;
        spec.d = b[2].data; spec.dlen = b[2].len;
        spec.p = b[3].data; spec.plen = b[3].len;
        spec.q = b[4].data; spec.qlen = b[4].len;
        spec.dp = b[5].data; spec.dplen = b[5].len;
        spec.dq = b[6].data; spec.dqlen = b[6].len;
        spec.qi = b[7].data; spec.qilen = b[7].len;
        jwk = cjose_jwk_create_RSA_spec(&spec, NULL);
    }
    bytes_cleanse(b, 8);
    return jwk;
}

static int is_p256(const EVP_PKEY *key)
{
    char name[64];
    size_t len = 0;

    if (EVP_PKEY_get_group_name(key, name, sizeof(name), &len) != 1) {
        return 0;
    }
    return OBJ_sn2nid(name) == NID_X9_62_prime256v1;
}

static cjose_jwk_t *ec_jwk(apr_pool_t *p, const EVP_PKEY *key)
{
    bn_bytes b[3];
    cjose_jwk_ec_keyspec spec;
    cjose_jwk_t *jwk = NULL;

    memset(b, 0, sizeof(b));
    if (param_bytes(p, key, OSSL_PKEY_PARAM_PRIV_KEY, AC_P256_BYTES, &b[0])
        && param_bytes(p, key, OSSL_PKEY_PARAM_EC_PUB_X, AC_P256_BYTES, &b[1])
        && param_bytes(p, key, OSSL_PKEY_PARAM_EC_PUB_Y, AC_P256_BYTES,
                       &b[2])) {
        spec.crv = CJOSE_JWK_EC_P_256;
        spec.d = b[0].data; spec.dlen = b[0].len;
        spec.x = b[1].data; spec.xlen = b[1].len;
        spec.y = b[2].data; spec.ylen = b[2].len;
        jwk = cjose_jwk_create_EC_spec(&spec, NULL);
    }
    bytes_cleanse(b, 3);
    return jwk;
}

static apr_status_t jwk_release(void *data)
{
    cjose_jwk_release(data);
    return APR_SUCCESS;
}

void ac_jwk_pool_own(apr_pool_t *p, void *jwk)
{
    apr_pool_cleanup_register(p, jwk, jwk_release, apr_pool_cleanup_null);
}

/* The JWK of `key` and its algorithm; an error (in `p`) names what is
 * wrong.  The key bytes pass through `tmp`. */
static ac_error *jwk_from_pkey(apr_pool_t *p, apr_pool_t *tmp,
                               const char *path, const EVP_PKEY *key,
                               cjose_jwk_t **jwk, const char **alg)
{
    int type = EVP_PKEY_get_base_id(key);

    *jwk = NULL;
    if (type == EVP_PKEY_RSA) {
        if (EVP_PKEY_get_bits(key) < AC_CLIENT_RSA_MIN_BITS) {
            return ac_error_make(p, AC_E_CLIENT_KEY,
                                 "%s holds a %d-bit RSA key; RS256 needs at "
                                 "least %d bits", path,
                                 EVP_PKEY_get_bits(key),
                                 AC_CLIENT_RSA_MIN_BITS);
        }
        *jwk = rsa_jwk(tmp, key);
        *alg = "RS256";
    }
    else if (type == EVP_PKEY_EC && is_p256(key)) {
        *jwk = ec_jwk(tmp, key);
        *alg = "ES256";
    }
    else {
        return ac_error_make(p, AC_E_CLIENT_KEY,
                             "%s is neither an RSA nor an EC P-256 key; "
                             "private_key_jwt signs with RS256 or ES256",
                             path);
    }
    ERR_clear_error();
    if (*jwk == NULL) {
        return ac_error_make(p, AC_E_CLIENT_KEY,
                             "the key in %s could not be converted for "
                             "signing", path);
    }
    return NULL;
}

ac_error *ac_client_key_load(apr_pool_t *p, const char *path, const char *kid,
                             void **jwk, const char **alg)
{
    apr_pool_t *tmp;
    cjose_jwk_t *k = NULL;
    void *pkey;
    ac_error *err;

    *jwk = NULL;
    *alg = NULL;
    /* the EVP_PKEY and the key bytes are only needed until cjose has its
     * own copy: keep them out of the long-lived pool */
    apr_pool_create(&tmp, p);
    err = ac_pem_private_key_load(tmp, path, "the private_key_jwt key", &pkey);
    if (err != NULL) {
        err = ac_error_wrap(p, err, NULL);
    }
    else {
        err = jwk_from_pkey(p, tmp, path, pkey, &k, alg);
    }
    apr_pool_destroy(tmp);
    if (err != NULL) {
        return err;
    }
    ac_jwk_pool_own(p, k);
    if (kid != NULL && !cjose_jwk_set_kid(k, kid, strlen(kid), NULL)) {
        return ac_error_make(p, AC_E_CLIENT_KEY,
                             "cannot set the kid of the key in %s", path);
    }
    *jwk = k;
    return NULL;
}

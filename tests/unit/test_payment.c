/*
 * test_payment.c — the TEST payment provider's cards and the signed
 * callbacks.
 */
#include "test.h"

#include <stdlib.h>

#include "visa/payment.h"

static struct pay_outcome charge(const char *card, const char *expiry, const char *cvc, int *rc)
{
    struct pay_charge c = {"pay_1", 2700, "USD", card, expiry, cvc};
    struct pay_outcome o;
    *rc = payment_test_provider.charge(&c, &o);
    return o;
}

TEST(payment_test_cards_give_their_documented_outcomes)
{
    int rc;
    struct pay_outcome o = charge("4242 4242 4242 4242", "12/30", "123", &rc);
    CHECK_INT(rc, 0);
    CHECK_INT(o.result, PAY_RESULT_SUCCEEDED);
    CHECK(!strncmp(o.provider_ref, "test_ch_", 8));
    o = charge("4000000000000002", "12/30", "123", &rc);
    CHECK(rc == 0 && o.result == PAY_RESULT_DECLINED);
    CHECK_STR(o.decline_code, "card_declined");
    o = charge("4000000000009995", "12/30", "123", &rc);
    CHECK_STR(o.decline_code, "insufficient_funds");
    o = charge("4000-0000-0000-0119", "12/30", "123", &rc);
    CHECK(rc == 0 && o.result == PAY_RESULT_PENDING);
    o = charge("5555555555554444", "12/30", "123", &rc);
    CHECK_STR(o.decline_code, "test_card_unknown");
    CHECK(payment_test_provider.is_test);
}

TEST(payment_test_provider_rejects_malformed_card_data)
{
    int rc;
    struct pay_outcome o = charge("4242424242424241", "12/30", "123", &rc);
    CHECK(rc == -1 && !strcmp(o.decline_code, "invalid_number"));
    o = charge("4242424242424242", "13/30", "123", &rc);
    CHECK(rc == -1 && !strcmp(o.decline_code, "invalid_expiry"));
    o = charge("4242424242424242", "12/30", "12a", &rc);
    CHECK(rc == -1 && !strcmp(o.decline_code, "invalid_cvc"));
    o = charge(NULL, "12/30", "123", &rc);
    CHECK(rc == -1);
}

TEST(payment_callbacks_verify_only_with_the_right_secret_and_body)
{
    const uint8_t secret[] = "s3cret-for-tests";
    struct pay_callback cb = {"pay_abc", PAY_RESULT_SUCCEEDED, "test_ch_1", ""};
    char *body = payment_callback_body(&cb);
    CHECK(body != NULL);
    char sig[65];
    payment_sign(secret, sizeof secret - 1, body, strlen(body), sig);
    CHECK(payment_verify(secret, sizeof secret - 1, body, strlen(body), sig));
    CHECK(!payment_verify((const uint8_t *)"other", 5, body, strlen(body), sig));
    body[2] ^= 1;
    CHECK(!payment_verify(secret, sizeof secret - 1, body, strlen(body), sig));
    body[2] ^= 1;
    CHECK(!payment_verify(secret, sizeof secret - 1, body, strlen(body), "abc"));
    struct pay_callback back;
    CHECK_INT(payment_callback_parse(body, strlen(body), &back), 0);
    CHECK_STR(back.payment_id, "pay_abc");
    CHECK_INT(back.result, PAY_RESULT_SUCCEEDED);
    free(body);
}

TEST(payment_callback_parse_rejects_unexpected_bodies)
{
    struct pay_callback cb;
    const char *bad[] = {
        "{}",
        "[1]",
        "{\"payment_id\":\"p\",\"result\":\"pending\",\"provider_ref\":\"\",\"decline_code\":\"\"}",
        "{\"payment_id\":\"p\",\"result\":\"succeeded\",\"provider_ref\":\"\",\"decline_code\":"
        "\"\","
        "\"extra\":1}",
        "{\"payment_id\":1,\"result\":\"succeeded\",\"provider_ref\":\"\",\"decline_code\":\"\"}",
        "{\"payment_id\":\"\",\"result\":\"succeeded\",\"provider_ref\":\"\",\"decline_code\":"
        "\"\"}",
        "not json",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        CHECK_CTX(payment_callback_parse(bad[i], strlen(bad[i]), &cb) == -1, bad[i]);
}

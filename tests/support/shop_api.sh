# shellcheck shell=bash
# The storefront flows of API.md with curl and jq, for shell tests and
# fixture scripts (the C++ suites have tests/support/shop_client.hpp): a
# server at SHOP_API (http://HOST:PORT/api/v1), JSON in and out, every call
# bounded by a timeout, every wait by a count.

# shop_call METHOD PATH TOKEN [BODY] [IDEMPOTENCY_KEY]: the answer's body; fails on a non-2xx.
shop_call() {
  curl -fsS -m 10 -X "$1" "$SHOP_API$2" -H 'Content-Type: application/json' ${3:+-H "Authorization: Bearer $3"} \
    ${5:+-H "Idempotency-Key: $5"} ${4:+--data "$4"}
}

# shop_login EMAIL PASSWORD: an access token.
shop_login() { shop_call POST /auth/login "" "{\"email\":\"$1\",\"password\":\"$2\"}" | jq -er .access_token; }

# shop_product ADMIN_TOKEN SKU PRICE STOCK: the new product's id.
shop_product() {
  shop_call POST /products "$1" "{\"sku\":\"$2\",\"name\":\"Product $2\",\"description\":\"for a shell test\",
    \"price\":{\"amount\":$3,\"currency\":\"USD\"},\"stock\":$4}" | jq -er .id
}

# shop_buyer EMAIL PASSWORD: signs up; prints an access token.
shop_buyer() {
  shop_call POST /auth/signup "" "{\"email\":\"$1\",\"password\":\"$2\",\"name\":\"${1%@*}\"}" >/dev/null
  shop_login "$1" "$2"
}

# shop_card TOKEN: the payment method id of the approved test card.
shop_card() {
  shop_call POST /payment-methods "$1" \
    '{"card":{"number":"4242424242424242","exp_month":12,"exp_year":2040,"cvc":"123"}}' | jq -er .id
}

# shop_order TOKEN PRODUCT QUANTITY CARD KEY: places an order; prints its id.
shop_order() {
  shop_call POST /orders "$1" "{\"items\":[{\"product_id\":\"$2\",\"quantity\":$3}],\"payment_method_id\":\"$4\",
    \"shipping_address\":{\"name\":\"Shell Buyer\",\"line1\":\"1 Test Street\",\"city\":\"Paris\",\"postal_code\":\"75001\",\"country\":\"FR\"}}" \
    "$5" | jq -er .id
}

# shop_wait_paid TOKEN ORDER_ID: waits (at most 20 s) until the order is paid.
shop_wait_paid() {
  local i
  for ((i = 0; i < 200; i++)); do
    [[ $(shop_call GET "/orders/$2" "$1" | jq -r .status) == paid ]] && return 0
    sleep 0.1
  done
  echo "order $2 not paid within 20 s" >&2
  return 1
}

// Test support only: a self-signed certificate for `public.test` (valid 2020-2120) and its key, used by the
// loopback HTTPS server in safe-download-tls.test.ts. The key protects nothing; it exists only for that test.

export const PUBLIC_TEST_KEY = `-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgAWivHF4N7DCwOi04
5rBW32/AqetK6XVu051ENItH5SehRANCAARkNGbe+PdEKYR1T2i4e6HDsQxZQvjU
g4kwiKtWooW3MN9ZPYUqjZuFzzZOip9yZyv/JZPXoJFikvAXwFD7cj2n
-----END PRIVATE KEY-----
`;

export const PUBLIC_TEST_CERT = `-----BEGIN CERTIFICATE-----
MIIBZjCCAQ2gAwIBAgIBATAKBggqhkjOPQQDAjAWMRQwEgYDVQQDDAtwdWJsaWMu
dGVzdDAgFw0yMDAxMDEwMDAwMDBaGA8yMTIwMDEwMTAwMDAwMFowFjEUMBIGA1UE
AwwLcHVibGljLnRlc3QwWTATBgcqhkjOPQIBBggqhkjOPQMBBwNCAARkNGbe+PdE
KYR1T2i4e6HDsQxZQvjUg4kwiKtWooW3MN9ZPYUqjZuFzzZOip9yZyv/JZPXoJFi
kvAXwFD7cj2no0owSDAWBgNVHREEDzANggtwdWJsaWMudGVzdDAPBgNVHRMBAf8E
BTADAQH/MB0GA1UdDgQWBBR2z1KbZQbidZU+QUrNEjk2yzsRETAKBggqhkjOPQQD
AgNHADBEAiBKwKQkvLikl7B7SL3t8bfaSI0NNft1+o7Eitdb+xqtYgIgCX0dRDTe
+AH2EMVc9QorKQEKPjKqOogHryCr5AvbnzI=
-----END CERTIFICATE-----
`;

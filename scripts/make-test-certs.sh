#!/usr/bin/env bash
# Makes a throwaway certificate authority and certificates for mutual TLS on the worker port:
#   ./scripts/make-test-certs.sh DIR
# DIR/ca.pem                         the cluster CA (ATS_TLS_CA on coordinators and workers)
# DIR/coordinator.{pem,key}          coordinator certificate (localhost, 127.0.0.1 and this host name)
# DIR/worker.{pem,key}               a worker's client certificate
# DIR/rogue-ca.pem, rogue-worker.*   a certificate from another CA, which the cluster must refuse
# For tests and trials only: production certificates come from your own CA.
set -euo pipefail
dir=${1:?usage: make-test-certs.sh DIR}
mkdir -p "$dir"
cd "$dir"
umask 077

key() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1" 2>/dev/null; }

authority() { # name subject
    key "$1.key"
    openssl req -x509 -new -key "$1.key" -out "$1.pem" -days 3650 -subj "$2" \
        -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign"
}

leaf() { # name ca subject extensions
    key "$1.key"
    openssl req -new -key "$1.key" -out "$1.csr" -subj "$3"
    printf '%s\n' "$4" >"$1.ext"
    openssl x509 -req -in "$1.csr" -CA "$2.pem" -CAkey "$2.key" -CAcreateserial -out "$1.pem" -days 825 \
        -extfile "$1.ext" 2>/dev/null
    rm -f "$1.csr" "$1.ext"
}

authority ca "/CN=ATS test cluster CA"
leaf coordinator ca "/CN=ats-coordinator" \
    "subjectAltName=DNS:localhost,DNS:$(hostname),IP:127.0.0.1
extendedKeyUsage=serverAuth
keyUsage=critical,digitalSignature"
leaf worker ca "/CN=ats-worker" \
    "subjectAltName=DNS:ats-worker
extendedKeyUsage=clientAuth
keyUsage=critical,digitalSignature"
authority rogue-ca "/CN=Someone else's CA"
leaf rogue-worker rogue-ca "/CN=ats-worker" \
    "subjectAltName=DNS:ats-worker
extendedKeyUsage=clientAuth
keyUsage=critical,digitalSignature"
rm -f ./*.srl
chmod 644 ./*.pem
echo "certificates in $dir"

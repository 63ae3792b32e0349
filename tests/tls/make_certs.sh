#!/bin/sh
# Throw-away certificates for the TLS tests and the demo, made with the
# openssl command. Usage: make_certs.sh OUTDIR
#   ca.crt/.der ca.key        the test CA            (P-256)
#   server.crt server.key     localhost, 127.0.0.1   signed by the CA
#   selfsigned.crt/.key       localhost, self-signed
#   unknown.crt/.key          localhost, signed by another CA
#   expired.crt/.key          localhost, valid 2020-2021
#   future.crt/.key           localhost, valid 2090-2091
#   wronghost.crt/.key        wrong.example only
#   client.crt client.key     a client certificate signed by the CA
#   server.pin                SHA-256 of the server's SubjectPublicKeyInfo (hex)
# With a second argument "rsa", also an RSA chain like many public backends:
#   rsa-root.crt (4096) -> rsa-int.crt (2048) -> rsa-leaf.crt (2048, localhost),
#   rsa-chain.crt (leaf + intermediate), rsa-server.key
set -eu
out=$1
with_rsa=${2:-}
mkdir -p "$out"
cd "$out"
rm -rf db && mkdir db && : > db/index && echo 1000 > db/serial

cat > ca.cnf <<'CNF'
[ ca ]
default_ca = test_ca
[ test_ca ]
database = db/index
new_certs_dir = db
serial = db/serial
default_md = sha256
policy = any
unique_subject = no
copy_extensions = none
[ any ]
commonName = supplied
[ server ]
basicConstraints = CA:FALSE
keyUsage = digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = DNS:localhost, IP:127.0.0.1
[ wrong ]
basicConstraints = CA:FALSE
keyUsage = digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = DNS:wrong.example
[ client ]
basicConstraints = CA:FALSE
keyUsage = digitalSignature
extendedKeyUsage = clientAuth
[ rsa_int ]
basicConstraints = critical, CA:TRUE, pathlen:0
keyUsage = critical, keyCertSign, cRLSign
[ rsa_leaf ]
basicConstraints = CA:FALSE
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth
subjectAltName = DNS:localhost
[ v3_ca ]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
CNF

key() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1" 2>/dev/null; }

make_ca() { # name cn
    key "$1.key"
    openssl req -new -x509 -key "$1.key" -subj "/CN=$2" -days 30 \
        -config ca.cnf -extensions v3_ca -out "$1.crt" 2>/dev/null
}

# sign name cn ca extensions startdate enddate
sign() {
    key "$1.key"
    openssl req -new -key "$1.key" -subj "/CN=$2" -out "$1.csr" 2>/dev/null
    openssl ca -batch -config ca.cnf -cert "$3.crt" -keyfile "$3.key" \
        -extensions "$4" -startdate "$5" -enddate "$6" -in "$1.csr" -out "$1.crt" \
        -notext 2>/dev/null
    rm -f "$1.csr"
}

now=$(date -u -d '-1 day' +%Y%m%d%H%M%SZ)
later=$(date -u -d '+30 days' +%Y%m%d%H%M%SZ)

make_ca ca "cpuser test CA"
make_ca otherca "another CA"
sign server localhost ca server "$now" "$later"
sign unknown localhost otherca server "$now" "$later"
sign expired localhost ca server 20200101000000Z 20210101000000Z
sign future localhost ca server 20900101000000Z 20910101000000Z
sign wronghost wrong.example ca wrong "$now" "$later"
sign client "charge point 7" ca client "$now" "$later"
key selfsigned.key
openssl req -new -x509 -key selfsigned.key -subj "/CN=localhost" -days 30 \
    -addext "subjectAltName = DNS:localhost, IP:127.0.0.1" -out selfsigned.crt 2>/dev/null
openssl x509 -in ca.crt -outform DER -out ca.der
openssl x509 -in server.crt -pubkey -noout | openssl pkey -pubin -outform DER \
    | openssl dgst -sha256 -hex | sed 's/.*= //' > server.pin
if [ "$with_rsa" = rsa ]; then
    rsa() { openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:$2 -out "$1" 2>/dev/null; }
    rsa rsa-root.key 4096
    openssl req -new -x509 -key rsa-root.key -subj "/CN=cpuser test RSA root" -days 30 \
        -config ca.cnf -extensions v3_ca -out rsa-root.crt 2>/dev/null
    for c in int:rsa-root:rsa_int:"cpuser test RSA intermediate" leaf:rsa-int:rsa_leaf:localhost; do
        name=rsa-${c%%:*}; rest=${c#*:}; issuer=${rest%%:*}; rest=${rest#*:}
        ext=${rest%%:*}; cn=${rest#*:}
        [ "$name" = rsa-leaf ] && keyfile=rsa-server.key || keyfile=$name.key
        rsa "$keyfile" 2048
        openssl req -new -key "$keyfile" -subj "/CN=$cn" -out "$name.csr" 2>/dev/null
        openssl ca -batch -config ca.cnf -cert "$issuer.crt" -keyfile "$issuer.key" \
            -extensions "$ext" -startdate "$now" -enddate "$later" -in "$name.csr" \
            -out "$name.crt" -notext 2>/dev/null
        rm -f "$name.csr"
    done
    cat rsa-leaf.crt rsa-int.crt > rsa-chain.crt
fi
echo "certificates in $out"

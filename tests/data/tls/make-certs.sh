#!/bin/sh
# Makes the test-only TLS files in this folder: a test CA, a server certificate it signed
# for 127.0.0.1 and localhost, one for another host and one that expired, all with
# server.key. The keys are for Ferry's tests and nothing else. Run from this folder.
set -eu
days=36500
openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.pem -days $days \
    -subj "/CN=Ferry Test CA" -addext "basicConstraints=critical,CA:TRUE" \
    -addext "keyUsage=critical,keyCertSign,cRLSign"
openssl genrsa -out server.key 2048
openssl req -new -key server.key -subj "/CN=localhost" -out server.csr
printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n' > local.ext
printf 'subjectAltName=DNS:elsewhere.example\nextendedKeyUsage=serverAuth\n' > other.ext
openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days $days \
    -extfile local.ext -out server.pem
openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days $days \
    -extfile other.ext -out wronghost.pem
# openssl x509 cannot date a certificate in the past; openssl ca can.
mkdir -p ca.db && : > ca.db/index.txt && echo 1000 > ca.db/serial
cat > ca.cnf <<'CNF'
[ca]
default_ca = test
[test]
dir = ca.db
database = ca.db/index.txt
serial = ca.db/serial
new_certs_dir = ca.db
default_md = sha256
policy = any
copy_extensions = none
[any]
commonName = supplied
[ext]
subjectAltName = IP:127.0.0.1,DNS:localhost
extendedKeyUsage = serverAuth
CNF
openssl ca -batch -config ca.cnf -cert ca.pem -keyfile ca.key -in server.csr \
    -startdate 20000101000000Z -enddate 20010101000000Z -extensions ext -notext \
    -out expired.pem
rm -rf ca.db ca.cnf server.csr local.ext other.ext ca.srl ca.key

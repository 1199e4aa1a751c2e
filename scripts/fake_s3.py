#!/usr/bin/env python3
"""A small S3-compatible object store for tests and benchmarks (path style: /BUCKET/KEY...).

It checks every request's AWS Signature Version 4 in the Authorization header as the S3 API
reference describes it (written here from that description, independently of the Swift signer
it tests): the canonical request (method, URI path as sent, sorted query, the signed headers
lower-cased and trimmed, the payload hash), the string to sign over the day's scope, and the
HMAC-SHA256 key derived from the secret. A PUT's body must match its x-amz-content-sha256.
Refusals are S3's XML errors (SignatureDoesNotMatch, InvalidAccessKeyId, XAmzContentSHA256Mismatch,
RequestTimeTooSkewed, NoSuchKey, InvalidRange). Multipart uploads as S3 runs them (initiate,
parts, complete with the parts' ETags in ascending order, abort; EntityTooSmall below
--min-part-bytes). Objects live as files under --dir (the object's path with '/' kept); each
request is logged to --log as "METHOD PATH RANGE STATUS".

    python3 scripts/fake_s3.py --dir /tmp/s3 --access-key AK --secret-key SK [--port 9000]
prints "ready PORT" once it listens.
"""
import argparse
import datetime
import hashlib
import hmac
import http.server
import os
import re
import shutil
import sys
import threading
import urllib.parse
import uuid

UNRESERVED = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.~"


def uri_encode(text, keep_slash):
    out = []
    for byte in text.encode("utf-8"):
        ch = chr(byte)
        if ch in UNRESERVED or (keep_slash and ch == "/"):
            out.append(ch)
        else:
            out.append("%%%02X" % byte)
    return "".join(out)


def signing_key(secret, day, region, service):
    key = ("AWS4" + secret).encode()
    for part in (day, region, service, "aws4_request"):
        key = hmac.new(key, part.encode(), hashlib.sha256).digest()
    return key


def expected_signature(method, raw_path, raw_query, headers, signed_names, payload_hash, amz_date, scope, secret):
    # The path as sent is already encoded once; S3 signs it encoded once (decode, encode again).
    path = uri_encode(urllib.parse.unquote(raw_path), keep_slash=True)
    pairs = urllib.parse.parse_qsl(raw_query, keep_blank_values=True)
    query = "&".join(
        "%s=%s" % (k, v) for k, v in sorted((uri_encode(k, False), uri_encode(v, False)) for k, v in pairs))
    canonical_headers = "".join(
        "%s:%s\n" % (name, " ".join(headers.get(name, "").split())) for name in signed_names)
    canonical = "\n".join(
        [method, path, query, canonical_headers, ";".join(signed_names), payload_hash])
    to_sign = "\n".join(
        ["AWS4-HMAC-SHA256", amz_date, scope, hashlib.sha256(canonical.encode()).hexdigest()])
    day, region, service, _ = scope.split("/")
    return hmac.new(signing_key(secret, day, region, service), to_sign.encode(), hashlib.sha256).hexdigest()


class Store(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    options = None
    lock = threading.Lock()

    def log_message(self, *args):
        pass

    def record(self, status):
        if self.options.log:
            with self.lock, open(self.options.log, "a") as f:
                f.write("%s %s %s %d\n" % (self.command, self.path, self.headers.get("Range", "-"), status))

    def reply(self, status, body=b"", headers=()):
        # Logged before the answer goes: whoever got the answer finds the line.
        self.record(status)
        self.send_response(status)
        for name, value in headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def error(self, status, code, message):
        body = ("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>%s</Code><Message>%s</Message></Error>"
                % (code, message)).encode()
        self.reply(status, body, [("Content-Type", "application/xml")])

    def authorized(self, body):
        """None when the request is signed right, else (status, code, message)."""
        payload_hash = self.headers.get("x-amz-content-sha256")
        if payload_hash is None:
            return (400, "InvalidRequest", "Missing required header x-amz-content-sha256")
        if payload_hash != "UNSIGNED-PAYLOAD" and payload_hash != hashlib.sha256(body).hexdigest():
            return (400, "XAmzContentSHA256Mismatch", "The provided x-amz-content-sha256 does not match")
        auth = self.headers.get("Authorization")
        if auth is None:
            if self.options.anonymous_read and self.command in ("GET", "HEAD"):
                return None
            return (403, "AccessDenied", "Access Denied")
        m = re.fullmatch(
            r"AWS4-HMAC-SHA256 Credential=([^/]+)/(\d{8}/[^/]+/s3/aws4_request),\s*SignedHeaders=([a-z0-9;-]+),\s*Signature=([0-9a-f]{64})",
            auth)
        if not m:
            return (400, "AuthorizationHeaderMalformed", "The authorization header is malformed")
        key_id, scope, names, signature = m.groups()
        if key_id != self.options.access_key:
            return (403, "InvalidAccessKeyId", "The AWS Access Key Id you provided does not exist in our records.")
        amz_date = self.headers.get("x-amz-date", "")
        try:
            when = datetime.datetime.strptime(amz_date, "%Y%m%dT%H%M%SZ").replace(tzinfo=datetime.timezone.utc)
        except ValueError:
            return (403, "AccessDenied", "x-amz-date is missing or malformed")
        if abs((datetime.datetime.now(datetime.timezone.utc) - when).total_seconds()) > 900:
            return (403, "RequestTimeTooSkewed", "The difference between the request time and the current time is too large.")
        if not scope.startswith(amz_date[:8] + "/" + self.options.region + "/"):
            return (403, "SignatureDoesNotMatch", "wrong scope")
        signed = names.split(";")
        if "host" not in signed or "x-amz-date" not in signed or "x-amz-content-sha256" not in signed:
            return (403, "SignatureDoesNotMatch", "host, x-amz-date and x-amz-content-sha256 must be signed")
        raw_path, _, raw_query = self.path.partition("?")
        headers = {k.lower(): v for k, v in self.headers.items()}
        want = expected_signature(
            self.command, raw_path, raw_query, headers, signed, payload_hash, amz_date, scope, self.options.secret_key)
        if not hmac.compare_digest(want, signature):
            return (403, "SignatureDoesNotMatch",
                    "The request signature we calculated does not match the signature you provided.")
        return None

    def file(self):
        path = urllib.parse.unquote(self.path.partition("?")[0])
        parts = [p for p in path.split("/") if p]
        if len(parts) < 2 or any(p in (".", "..") for p in parts):
            return None
        return os.path.join(self.options.dir, *parts)

    def handle_any(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        refused = self.authorized(body)
        if refused:
            return self.error(*refused)
        target = self.file()
        if target is None:
            return self.error(400, "InvalidRequest", "expected /BUCKET/KEY")
        query = urllib.parse.parse_qs(self.path.partition("?")[2], keep_blank_values=True)
        if "uploads" in query or "uploadId" in query:
            return self.multipart(target, query, body)
        if self.command == "POST":
            return self.error(400, "InvalidRequest", "POST is for multipart uploads only")
        if self.command == "PUT":
            os.makedirs(os.path.dirname(target), exist_ok=True)
            with open(target + ".tmp", "wb") as f:
                f.write(body)
            os.replace(target + ".tmp", target)
            return self.reply(200, b"", [("ETag", '"%s"' % hashlib.md5(body).hexdigest())])
        if self.command == "DELETE":
            try:
                os.remove(target)
            except FileNotFoundError:
                pass
            return self.reply(204)
        if not os.path.isfile(target):
            return self.error(404, "NoSuchKey", "The specified key does not exist.")
        size = os.path.getsize(target)
        asked = self.headers.get("Range")
        with open(target, "rb") as f:
            if asked is None:
                return self.reply(200, f.read(), [("Content-Type", "application/octet-stream")])
            m = re.fullmatch(r"bytes=(\d+)-(\d*)", asked)
            if not m or int(m.group(1)) >= size:
                return self.error(416, "InvalidRange", "The requested range is not satisfiable")
            start = int(m.group(1))
            end = min(int(m.group(2)) if m.group(2) else size - 1, size - 1)
            f.seek(start)
            piece = f.read(end - start + 1)
        return self.reply(206, piece, [
            ("Content-Type", "application/octet-stream"),
            ("Content-Range", "bytes %d-%d/%d" % (start, end, size))])

    def multipart(self, target, query, body):
        """S3's multipart upload: POST ?uploads starts one, PUT ?partNumber=N&uploadId=U stores a
        part, POST ?uploadId=U completes it from the listed parts (in ascending order, each but the
        last at least --min-part-bytes, ETags matching), DELETE ?uploadId=U aborts it."""
        uploads = os.path.join(self.options.dir, ".uploads")
        if self.command == "POST" and "uploads" in query:
            upload_id = uuid.uuid4().hex
            os.makedirs(os.path.join(uploads, upload_id))
            with open(os.path.join(uploads, upload_id, "target"), "w") as f:
                f.write(target)
            return self.reply(200, ("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<InitiateMultipartUploadResult>"
                                    "<UploadId>%s</UploadId></InitiateMultipartUploadResult>" % upload_id).encode(),
                              [("Content-Type", "application/xml")])
        upload_id = query.get("uploadId", [""])[0]
        folder = os.path.join(uploads, upload_id)
        if not re.fullmatch(r"[0-9a-f]{32}", upload_id) or not os.path.isdir(folder):
            return self.error(404, "NoSuchUpload", "The specified upload does not exist.")
        with open(os.path.join(folder, "target")) as f:
            if f.read() != target:
                return self.error(400, "InvalidRequest", "the upload is for another key")
        if self.command == "PUT":
            number = int(query.get("partNumber", ["0"])[0] or 0)
            if not 1 <= number <= 10000:
                return self.error(400, "InvalidArgument", "Part number must be an integer between 1 and 10000")
            with open(os.path.join(folder, "part-%05d" % number), "wb") as f:
                f.write(body)
            return self.reply(200, b"", [("ETag", '"%s"' % hashlib.md5(body).hexdigest())])
        if self.command == "DELETE":
            shutil.rmtree(folder)
            return self.reply(204)
        if self.command != "POST":
            return self.error(405, "MethodNotAllowed", "The specified method is not allowed")
        listed = re.findall(r"<Part>\s*<PartNumber>(\d+)</PartNumber>\s*<ETag>([^<]*)</ETag>\s*</Part>", body.decode())
        if not listed:
            return self.error(400, "MalformedXML", "The XML you provided was not well-formed")
        numbers = [int(n) for n, _ in listed]
        if numbers != sorted(set(numbers)):
            return self.error(400, "InvalidPartOrder", "The list of parts was not in ascending order.")
        pieces = []
        for k, (number, etag) in enumerate(listed):
            path = os.path.join(folder, "part-%05d" % int(number))
            if not os.path.isfile(path):
                return self.error(400, "InvalidPart", "One or more of the specified parts could not be found.")
            with open(path, "rb") as f:
                piece = f.read()
            if etag.replace("&quot;", '"') != '"%s"' % hashlib.md5(piece).hexdigest():
                return self.error(400, "InvalidPart", "One or more of the specified parts could not be found.")
            if k < len(listed) - 1 and len(piece) < self.options.min_part_bytes:
                return self.error(400, "EntityTooSmall", "Your proposed upload is smaller than the minimum allowed object size.")
            pieces.append(piece)
        os.makedirs(os.path.dirname(target), exist_ok=True)
        with open(target + ".tmp", "wb") as f:
            for piece in pieces:
                f.write(piece)
        os.replace(target + ".tmp", target)
        shutil.rmtree(folder)
        return self.reply(200, ("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<CompleteMultipartUploadResult>"
                                "<ETag>\"%s-%d\"</ETag></CompleteMultipartUploadResult>"
                                % (hashlib.md5(b"".join(hashlib.md5(p).digest() for p in pieces)).hexdigest(),
                                   len(pieces))).encode(), [("Content-Type", "application/xml")])

    do_GET = do_PUT = do_DELETE = do_HEAD = do_POST = handle_any


# The S3 API reference's published examples ("Signature Calculations for the Authorization Header:
# Transferring Payload in a Single Chunk"): (method, path as sent, query, headers, signature).
EXAMPLES = [
    ("GET", "/test.txt", "", {"host": "examplebucket.s3.amazonaws.com", "range": "bytes=0-9"},
     "f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41"),
    ("PUT", "/test%24file.text", "", {"host": "examplebucket.s3.amazonaws.com", "date": "Fri, 24 May 2013 00:00:00 GMT",
                                      "x-amz-storage-class": "REDUCED_REDUNDANCY"},
     "98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd"),
    ("GET", "/", "lifecycle", {"host": "examplebucket.s3.amazonaws.com"},
     "fea454ca298b7da1c68078a5d1bdbfbbe0d65c699e0f91ac7a200a0136783543"),
    ("GET", "/", "max-keys=2&prefix=J", {"host": "examplebucket.s3.amazonaws.com"},
     "34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7"),
]


def self_test():
    """This implementation against the published examples; exit status 0 when all four match."""
    failed = 0
    for method, path, query, headers, want in EXAMPLES:
        body = b"Welcome to Amazon S3." if method == "PUT" else b""
        headers = dict(headers, **{"x-amz-content-sha256": hashlib.sha256(body).hexdigest(),
                                   "x-amz-date": "20130524T000000Z"})
        got = expected_signature(method, path, query, headers, sorted(headers), headers["x-amz-content-sha256"],
                                 "20130524T000000Z", "20130524/us-east-1/s3/aws4_request",
                                 "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY")
        print("%s %s%s %s" % (method, path, "?" + query if query else "", "ok" if got == want else "MISMATCH " + got))
        failed += got != want
    return 1 if failed else 0


def main():
    if sys.argv[1:] == ["--self-test"]:
        return self_test()
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--dir", required=True)
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=0)
    p.add_argument("--access-key", required=True)
    p.add_argument("--secret-key", required=True)
    p.add_argument("--region", default="us-east-1")
    p.add_argument("--anonymous-read", action="store_true", help="GET and HEAD need no signature")
    p.add_argument("--min-part-bytes", type=int, default=5 << 20, help="the smallest part but the last (S3: 5 MiB)")
    p.add_argument("--log")
    Store.options = p.parse_args()
    os.makedirs(Store.options.dir, exist_ok=True)
    server = http.server.ThreadingHTTPServer((Store.options.host, Store.options.port), Store)
    print("ready %d" % server.server_address[1], flush=True)
    server.serve_forever()


if __name__ == "__main__":
    sys.exit(main())

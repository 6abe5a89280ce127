/* The single-stream reference for one gzip layer, on ONE thread: libcurl receives the blob and,
 * in its write callback, the bytes are hashed (SHA-256, OpenSSL), inflated (ISA-L), the output
 * hashed (SHA-256) and written to the output file. Writes "<blob sha256> <tar sha256>" to
 * DIGESTS. Built by bench/bench.py: cc -O2 ref_pipeline.c -lcurl -lcrypto -lisal
 * Usage: ref_pipeline URL OUTPUT DIGESTS */
#include <curl/curl.h>
#include <isa-l/igzip_lib.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <fcntl.h>

enum { kOut = 256 * 1024 };

struct Pipeline {
  EVP_MD_CTX *compressed, *tar;
  struct inflate_state inflate;
  int in_member, fd;
  unsigned char out[kOut];
};

static void die(const char *what) {
  fprintf(stderr, "ref_pipeline: %s\n", what);
  exit(1);
}

static void write_all(int fd, const unsigned char *data, size_t size) {
  while (size > 0) {
    ssize_t n = write(fd, data, size);
    if (n < 0) die("write failed");
    data += n;
    size -= (size_t)n;
  }
}

static void inflate_some(struct Pipeline *p, unsigned char *data, size_t size) {
  p->inflate.next_in = data;
  p->inflate.avail_in = (uint32_t)size;
  for (;;) {
    if (!p->in_member) {
      if (p->inflate.avail_in == 0) return;
      unsigned char *next_in = p->inflate.next_in;
      uint32_t avail_in = p->inflate.avail_in;
      isal_inflate_init(&p->inflate);
      p->inflate.crc_flag = ISAL_GZIP;
      p->inflate.next_in = next_in;
      p->inflate.avail_in = avail_in;
      p->in_member = 1;
    }
    p->inflate.next_out = p->out;
    p->inflate.avail_out = kOut;
    if (isal_inflate(&p->inflate) < 0) die("corrupt gzip data");
    size_t produced = kOut - p->inflate.avail_out;
    EVP_DigestUpdate(p->tar, p->out, produced);
    write_all(p->fd, p->out, produced);
    if (p->inflate.block_state == ISAL_BLOCK_FINISH) {
      p->in_member = 0;
    } else if (p->inflate.avail_in == 0 && p->inflate.avail_out > 0) {
      return;
    }
  }
}

static size_t on_data(char *data, size_t one, size_t size, void *user) {
  struct Pipeline *p = user;
  (void)one;
  EVP_DigestUpdate(p->compressed, data, size);
  inflate_some(p, (unsigned char *)data, size);
  return size;
}

static void print_digest(FILE *to, EVP_MD_CTX *ctx, const char *end) {
  unsigned char md[32];
  unsigned int length = 0;
  EVP_DigestFinal_ex(ctx, md, &length);
  for (unsigned int i = 0; i < length; ++i) fprintf(to, "%02x", md[i]);
  fputs(end, to);
}

int main(int argc, char **argv) {
  if (argc != 4) die("usage: ref_pipeline URL OUTPUT DIGESTS");
  static struct Pipeline p;
  p.compressed = EVP_MD_CTX_new();
  p.tar = EVP_MD_CTX_new();
  EVP_DigestInit_ex(p.compressed, EVP_sha256(), NULL);
  EVP_DigestInit_ex(p.tar, EVP_sha256(), NULL);
  p.fd = open(argv[2], O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (p.fd < 0) die("cannot create the output");
  curl_global_init(CURL_GLOBAL_DEFAULT);
  CURL *curl = curl_easy_init();
  curl_easy_setopt(curl, CURLOPT_URL, argv[1]);
  curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 1L);
  curl_easy_setopt(curl, CURLOPT_FAILONERROR, 1L);
  curl_easy_setopt(curl, CURLOPT_BUFFERSIZE, 512L * 1024);
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_data);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &p);
  CURLcode rc = curl_easy_perform(curl);
  if (rc != CURLE_OK) die(curl_easy_strerror(rc));
  if (p.in_member) die("truncated gzip data");
  if (close(p.fd) != 0) die("close failed");
  FILE *digests = fopen(argv[3], "w");
  if (digests == NULL) die("cannot create the digests file");
  print_digest(digests, p.compressed, " ");
  print_digest(digests, p.tar, "\n");
  if (fclose(digests) != 0) die("cannot write the digests file");
  curl_easy_cleanup(curl);
  return 0;
}

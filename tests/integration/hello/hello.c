/* Static test payload for the `hello` fixture image: prints one line. */
#include <unistd.h>

int main(void) {
    static const char msg[] = "Hello from hocker!\n";
    return write(1, msg, sizeof msg - 1) == (ssize_t)(sizeof msg - 1) ? 0 : 1;
}

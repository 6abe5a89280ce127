#include "hocker/base/error.h"
int main() { return hocker::exit_code(hocker::ErrorKind::kInternal); }

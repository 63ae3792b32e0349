/* make bench: sizes of the caller-owned structs on the target. Each array
 * below is exactly sizeof(T) bytes; `arm-none-eabi-nm -S` reads the sizes
 * back from the object (nothing is linked or run). */
#include "cpuser/ampeco_users.h"

char bench_sizeof_cpuser_client[sizeof(cpuser_client)];
char bench_sizeof_cpuser_user[sizeof(cpuser_user)];
char bench_sizeof_cpuser_page[sizeof(cpuser_page)];
char bench_sizeof_cpuser_user_fields[sizeof(cpuser_user_fields)];
char bench_sizeof_cpuser_json[sizeof(cpuser_json)];
char bench_sizeof_cpuser_result[sizeof(cpuser_result)];

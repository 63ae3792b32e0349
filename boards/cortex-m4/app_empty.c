/*
 * app_empty.c: the "empty" image: the same startup (startup.c), linker
 * script and newlib-nano link as the other images, and a main that does
 * nothing. Subtracted from the others, it leaves what the application and
 * cpuser add.
 */
int main(void)
{
    return 0;
}

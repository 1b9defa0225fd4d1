/* keep_loaded.c: in sanitizer builds only, the host never unloads shared libraries.
 * The Vulkan loader unloads the driver and layers when the last instance goes; memory those
 * libraries still hold through their own globals then looks leaked to LeakSanitizer (its
 * roots are unmapped) and cannot even be attributed. Keeping them mapped keeps the leak
 * check about our code. The host exports this dlclose (-Wl,-E), which the loader's calls
 * resolve to: default visibility, as the project builds with hidden visibility. */
#ifdef LLUVIA_SANITIZE
__attribute__((visibility("default"))) int dlclose(void *handle);

__attribute__((visibility("default"))) int dlclose(void *handle)
{
    (void)handle;
    return 0;
}
#else
typedef int ll_keep_loaded_unused; /* ISO C: a translation unit is not empty */
#endif

/* pin_loaded.c: the libraries vkCreateInstance and vkCreateDevice load (the driver, its
 * own libraries, layers) stay loaded for the life of the process.
 *
 * When the last session of an instance goes, the instance is destroyed and the Vulkan
 * loader dlcloses the driver; the next vkCreateInstance dlopens it again. Some drivers
 * (NVIDIA's libnvidia-tls) use initial-exec TLS, which takes glibc's static TLS surplus,
 * and glibc does not give that surplus back on dlclose: a process that makes and releases
 * sessions in a loop eventually fails to load the driver ("cannot allocate memory in
 * static TLS block", then VK_ERROR_INCOMPATIBLE_DRIVER). Marking each newly loaded object
 * RTLD_NODELETE (dlopen with RTLD_NOLOAD finds the loaded one; the flag sticks after the
 * matching dlclose) keeps the first load for every later instance. The list is walked
 * with dl_iterate_phdr, which visits objects in load order (new ones last); dlopen is
 * called outside the walk, which holds the loader's lock. No allocation: nothing here can
 * fail a session. */
#define _GNU_SOURCE
#include "pin_loaded.h"

#include <dlfcn.h>
#include <link.h>
#include <stdio.h>

typedef struct walk {
    unsigned count;   /* objects visited */
    unsigned wanted;  /* the index whose name to copy */
    char name[4096];  /* its name, "" where it has none */
} walk;

static int visit(struct dl_phdr_info *info, size_t size, void *data)
{
    (void)size;
    walk *w = data;
    if (w->count == w->wanted)
        snprintf(w->name, sizeof w->name, "%s", info->dlpi_name ? info->dlpi_name : "");
    w->count++;
    return 0;
}

unsigned ll_loaded_object_count(void)
{
    walk w = {.wanted = (unsigned)-1};
    dl_iterate_phdr(visit, &w);
    return w.count;
}

void ll_pin_loaded_since(unsigned before)
{
    for (unsigned i = before;; i++) {
        walk w = {.wanted = i};
        dl_iterate_phdr(visit, &w);
        if (i >= w.count)
            return;
        if (w.name[0] == '\0')
            continue; /* the program or the vDSO: never unloaded */
        void *handle = dlopen(w.name, RTLD_LAZY | RTLD_NOLOAD | RTLD_NODELETE);
        if (handle != NULL)
            dlclose(handle);
    }
}

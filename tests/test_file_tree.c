/* test_file_tree.c: folder trees (file_tree.h): listed sorted without hidden entries, files
 * read whole, missing and foreign paths named in errors, and temporary trees written and
 * removed again (unsafe names refused, nothing left behind on failure). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lluvia/fault.h"
#include "lluvia/file_tree.h"
#include "test_util.h"

static bool is_there(const char *root, const char *name)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", root, name);
    struct stat st;
    return stat(path, &st) == 0;
}

static void test_temp_tree_and_listing(void)
{
    const char *names[] = {"lluvia/core.glsl", "lluvia/x/y.comp", "b.lua", ".hidden/z.lua",
                           "a/.h.lua"};
    const void *data[] = {"core", "yy", "", "z", "h"};
    const size_t sizes[] = {4, 2, 0, 1, 1};
    ll_error err;
    char *root = NULL;
    CHECK_MSG(ll_file_tree_write_temp(5, names, data, sizes, &root, &err), "%s", err.message);
    if (root == NULL)
        return;
    struct stat st;
    CHECK(stat(root, &st) == 0 && S_ISDIR(st.st_mode) && (st.st_mode & 077) == 0);

    char **list;
    size_t n;
    CHECK(ll_file_tree_list(root, &list, &n, &err));
    CHECK(n == 3);
    if (n == 3) {
        CHECK(strcmp(list[0], "b.lua") == 0);
        CHECK(strcmp(list[1], "lluvia/core.glsl") == 0);
        CHECK(strcmp(list[2], "lluvia/x/y.comp") == 0);
    }
    ll_file_tree_free(list, n);

    char path[512];
    snprintf(path, sizeof path, "%s/lluvia/x/y.comp", root);
    char *text;
    size_t size;
    CHECK(ll_file_read(path, &text, &size, &err) && size == 2 && strcmp(text, "yy") == 0);
    ll_free(text);
    CHECK(!ll_file_read(root, &text, &size, &err) && err.code == LL_E_FILE);
    CHECK_MSG(strstr(err.message, "not a regular file") != NULL, "%s", err.message);

    /* A file added since stays, with its folder; the rest goes. */
    char keep[512];
    snprintf(keep, sizeof keep, "%s/lluvia/kept", root);
    FILE *f = fopen(keep, "w");
    CHECK(f != NULL);
    if (f != NULL)
        fclose(f);
    char copy[256];
    snprintf(copy, sizeof copy, "%.200s", root);
    ll_file_tree_remove_temp(root, 5, names);
    CHECK(is_there(copy, "lluvia/kept"));
    CHECK(!is_there(copy, "lluvia/x"));
    CHECK(!is_there(copy, "b.lua"));
    CHECK(!is_there(copy, ".hidden"));
    unlink(keep);
    snprintf(keep, sizeof keep, "%s/lluvia", copy);
    rmdir(keep);
    rmdir(copy);
    ll_file_tree_remove_temp(NULL, 0, NULL);
}

static void test_refusals(void)
{
    ll_error err;
    char *root = NULL;
    const char *bad[] = {"ok.lua", "../up.lua"};
    const void *data[] = {"1", "2"};
    const size_t sizes[] = {1, 1};
    CHECK(!ll_file_tree_write_temp(2, bad, data, sizes, &root, &err));
    CHECK(err.code == LL_E_ARGUMENT && err.operand == 2 && root == NULL);
    CHECK_MSG(strstr(err.message, "'../up.lua' is not a safe relative file name") != NULL, "%s",
              err.message);
    const char *folder[] = {"dir/"};
    CHECK(!ll_file_tree_write_temp(1, folder, data, sizes, &root, &err));

    /* Two names for one file: the second write fails and nothing stays. */
    const char *twice[] = {"x/a", "x/a"};
    CHECK(!ll_file_tree_write_temp(2, twice, data, sizes, &root, &err));
    CHECK(err.code == LL_E_FILE && root == NULL);

    char **list;
    size_t n;
    CHECK(!ll_file_tree_list("/nonexistent/lib", &list, &n, &err) && err.code == LL_E_FILE);
    CHECK_MSG(strstr(err.message, "/nonexistent/lib") != NULL, "%s", err.message);
    CHECK(!ll_file_tree_list("/etc/hostname", &list, &n, &err));
    CHECK_MSG(strstr(err.message, "is not a folder") != NULL, "%s", err.message);
    CHECK(!ll_file_read("/nonexistent/x", (char **)&list, &n, &err));
    CHECK_MSG(strstr(err.message, "No such file") != NULL, "%s", err.message);
}

/* A link to its own folder makes an endless tree: refused at LL_FILE_TREE_DEPTH. */
static void test_link_loop(void)
{
    char dir[] = "/tmp/ll_test_tree_XXXXXX";
    if (mkdtemp(dir) == NULL)
        return;
    char link[64];
    snprintf(link, sizeof link, "%s/loop", dir);
    CHECK(symlink(".", link) == 0);
    char **list;
    size_t n;
    ll_error err;
    CHECK(!ll_file_tree_list(dir, &list, &n, &err) && err.code == LL_E_FILE);
    CHECK_MSG(strstr(err.message, "nest deeper than 32 levels") != NULL, "%s", err.message);
    unlink(link);
    rmdir(dir);
}

/* Every host allocation of a temporary tree failing in turn leaves nothing behind. */
static void test_faults(void)
{
    const char *names[] = {"a/b/c.glsl", "a/d.glsl"};
    const void *data[] = {"c", "d"};
    const size_t sizes[] = {1, 1};
    for (uint64_t k = 1;; k++) {
        ll_error err;
        char *root = NULL;
        ll_fault_clear();
        ll_fault_fail_after(LL_FAULT_HOST, k);
        bool ok = ll_file_tree_write_temp(2, names, data, sizes, &root, &err);
        bool fired = ll_fault_fired() > 0;
        ll_fault_clear();
        if (ok) {
            CHECK(!fired);
            ll_file_tree_remove_temp(root, 2, names);
            break;
        }
        CHECK(err.code == LL_E_HOST_MEMORY && root == NULL);
    }
}

int main(void)
{
    test_temp_tree_and_listing();
    test_refusals();
    test_link_loop();
    test_faults();
    return test_finish("file_tree");
}

/* test_program.c: programs without Lua: GLSL compiled with includes (the including file's
 * folder, include folders in order, the built-in library), defines, compile errors with
 * file and line, reflection of every binding kind, of the local size from specialization
 * constants and of push constants, malformed SPIR-V refused, resources a node cannot bind
 * refused by name, and every injected failure of a create leaving nothing behind. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lluvia/enums.h"
#include "lluvia/fault.h"
#include "lluvia/program.h"
#include "lluvia/session.h"
#include "test_util.h"

#define VALID(p)                                                                       \
    do {                                                                               \
        ll_error verr_;                                                                \
        CHECK_MSG(ll_program_validate((p), &verr_), "%s", verr_.message);              \
    } while (0)

static const char *kinds_source =
    "#version 450\n"
    "#include <lluvia/core.glsl>\n"
    "layout(constant_id = LL_SPECIALIZATION_BEGIN) const float scale = 2.0;\n"
    "layout(binding = 0) buffer out_buffer { float data[]; } out_values;\n"
    "layout(binding = 1) buffer Anonymous { float more[]; };\n"
    "layout(binding = 2, rgba8) uniform writeonly image2D out_image;\n"
    "layout(binding = 3) uniform sampler2D in_texture;\n"
    "layout(binding = 4) uniform Params { vec4 a; } params;\n"
    "layout(push_constant) uniform PC { float x; int y; vec2 z; } pc;\n"
    "void main() {\n"
    "    uint i = LL_GLOBAL_COORDS_1D;\n"
    "    out_values.data[i] = scale * more[i] + texture(in_texture, vec2(0)).x + params.a.x"
    " + pc.x;\n"
    "    imageStore(out_image, LL_GLOBAL_COORDS_2D, vec4(1));\n"
    "}\n";

/* Compiles source (options may be NULL); NULL with the log printed on failure. */
static uint32_t *compile(const char *source, const ll_compile_options *options, size_t *size)
{
    uint32_t *words = NULL;
    char *log = NULL;
    ll_error err;
    if (!ll_glsl_compile(source, strlen(source), options, &words, size, &log, &err)) {
        fprintf(stderr, "compile failed: %s\n", log != NULL ? log : err.message);
        ll_free(log);
        return NULL;
    }
    CHECK(log == NULL);
    return words;
}

static ll_program_info *reflect_source(const char *source, const ll_compile_options *options)
{
    size_t size = 0;
    uint32_t *words = compile(source, options, &size);
    CHECK(words != NULL);
    if (words == NULL)
        return NULL;
    ll_program_info *info = NULL;
    ll_error err;
    CHECK_MSG(ll_spirv_reflect(words, size, &info, &err), "%s", err.message);
    ll_free(words);
    return info;
}

static void test_reflection(void)
{
    ll_program_info *info = reflect_source(kinds_source, NULL);
    if (info == NULL)
        return;
    /* lluvia/core.glsl: 1 x 1 x 1 from constants 1, 2, 3 */
    for (int i = 0; i < 3; i++) {
        CHECK(info->local_size[i] == 1);
        CHECK(info->from_constant[i]);
        CHECK(info->constant_id[i] == (uint32_t)i + 1);
    }
    CHECK(info->binding_count == 5);
    static const struct { const char *name; ll_port_type type; } want[] = {
        {"out_values", LL_PORT_BUFFER},        {"Anonymous", LL_PORT_BUFFER},
        {"out_image", LL_PORT_IMAGE_VIEW},     {"in_texture", LL_PORT_SAMPLED_IMAGE_VIEW},
        {"params", LL_PORT_UNIFORM_BUFFER},
    };
    for (size_t i = 0; i < info->binding_count && i < 5; i++) {
        CHECK(info->bindings[i].set == 0);
        CHECK(info->bindings[i].binding == i);
        CHECK_MSG(strcmp(info->bindings[i].name, want[i].name) == 0, "%s",
                  info->bindings[i].name);
        CHECK(info->bindings[i].type == want[i].type);
    }
    CHECK(info->push_constant_size == 16);
    CHECK(info->entry_point_count == 1 && strcmp(info->entry_points[0], "main") == 0);
    CHECK(info->constant_count == 4);
    for (size_t i = 0; i < info->constant_count; i++)
        CHECK(info->constants[i].id == i + 1 && info->constants[i].size == 4);
    ll_program_info_free(info);

    /* A fixed local size, no push constants, no bindings. */
    info = reflect_source("#version 450\nlayout(local_size_x = 8, local_size_y = 4) in;\n"
                          "void main() {}\n", NULL);
    if (info != NULL) {
        CHECK(info->local_size[0] == 8 && info->local_size[1] == 4 && info->local_size[2] == 1);
        CHECK(!info->from_constant[0] && !info->from_constant[1] && !info->from_constant[2]);
        CHECK(info->binding_count == 0 && info->push_constant_size == 0);
        CHECK(info->constant_count == 0);
    }
    ll_program_info_free(info);

    /* One axis from a constant, with its default; the others fixed. */
    info = reflect_source("#version 450\nlayout(local_size_x_id = 7, local_size_x = 16,"
                          " local_size_z = 2) in;\nvoid main() {}\n", NULL);
    if (info != NULL) {
        CHECK(info->local_size[0] == 16 && info->local_size[1] == 1 && info->local_size[2] == 2);
        CHECK(info->from_constant[0] && info->constant_id[0] == 7);
        CHECK(!info->from_constant[1] && !info->from_constant[2]);
    }
    ll_program_info_free(info);
}

/* A resource a compute node cannot bind is refused with its name, set and binding. */
static void refused(const char *declaration, const char *use, const char *needle)
{
    char source[1024];
    snprintf(source, sizeof source, "#version 450\n%s\nvoid main() { %s }\n", declaration, use);
    size_t size = 0;
    uint32_t *words = compile(source, NULL, &size);
    CHECK(words != NULL);
    if (words == NULL)
        return;
    ll_program_info *info = NULL;
    ll_error err;
    CHECK(!ll_spirv_reflect(words, size, &info, &err));
    CHECK(info == NULL);
    CHECK(err.code == LL_E_PROGRAM);
    CHECK_MSG(strstr(err.message, needle) != NULL, "%s", err.message);
    ll_free(words);
}

static void test_refused_kinds(void)
{
    refused("layout(set = 1, binding = 2) uniform texture2D tex;\n"
            "layout(binding = 3) uniform sampler smp;",
            "vec4 v = texture(sampler2D(tex, smp), vec2(0));",
            "'tex' (set 1, binding 2) is a separate (sampled) image");
    refused("layout(binding = 1, r32f) uniform imageBuffer tb;",
            "imageStore(tb, 0, vec4(1));", "'tb' (set 0, binding 1) is a storage image: texel");
    refused("layout(binding = 0) buffer B { float d[]; } bufs[2];", "bufs[1].d[0] = 1.0;",
            "'bufs' (set 0, binding 0) is a storage buffer: arrays");
}

static void test_invalid_spirv(void)
{
    ll_program_info *info = NULL;
    ll_error err;
    size_t size = 0;
    uint32_t *words = compile(kinds_source, NULL, &size);
    CHECK(words != NULL);
    if (words == NULL)
        return;

    CHECK(!ll_spirv_reflect(words, 0, &info, &err) && err.code == LL_E_PROGRAM);
    CHECK(strstr(err.message, "invalid SPIR-V: 0 bytes") != NULL);
    CHECK(!ll_spirv_reflect(words, size - 2, &info, &err) && err.code == LL_E_PROGRAM);
    CHECK(strstr(err.message, "multiple of 4") != NULL);
    CHECK(!ll_spirv_reflect(words, 12, &info, &err) && err.code == LL_E_PROGRAM);
    CHECK(strstr(err.message, "header") != NULL);

    /* truncated: a whole number of words, cut mid-instruction */
    CHECK(!ll_spirv_reflect(words, size / 2 & ~(size_t)3, &info, &err));
    CHECK(err.code == LL_E_PROGRAM && strncmp(err.message, "invalid SPIR-V: ", 16) == 0);

    uint32_t *copy = malloc(size);
    memcpy(copy, words, size);
    copy[0] = 0x12345678; /* wrong magic */
    CHECK(!ll_spirv_reflect(copy, size, &info, &err) && err.code == LL_E_PROGRAM);
    CHECK_MSG(strstr(err.message, "magic number 0x12345678") != NULL, "%s", err.message);

    srand(7);
    for (int round = 0; round < 50; round++) {
        memcpy(copy, words, size);
        for (size_t i = 5; i < size / 4; i++)
            if (rand() % 4 == 0)
                copy[i] = (uint32_t)rand();
        if (ll_spirv_reflect(copy, size, &info, &err))
            ll_program_info_free(info); /* still valid: fine, as long as nothing breaks */
        else
            CHECK(err.code == LL_E_PROGRAM || err.code == LL_E_HOST_MEMORY);
        info = NULL;
    }
    free(copy);

    /* Byte-aligned input is accepted: a script's string need not be word-aligned. */
    unsigned char *bytes = malloc(size + 1);
    memcpy(bytes + 1, words, size);
    CHECK_MSG(ll_spirv_reflect(bytes + 1, size, &info, &err), "%s", err.message);
    ll_program_info_free(info);
    free(bytes);
    ll_free(words);
}

static void write_file(const char *dir, const char *name, const char *text)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    CHECK(f != NULL);
    if (f == NULL)
        return;
    fputs(text, f);
    fclose(f);
}

/* Compiles source and returns the value of the constant 'answer' (default of constant id
 * 9), which included files define as they like; -1 on failure (the log in *log). */
static int answer(const char *source, const ll_compile_options *options, char **log)
{
    uint32_t *words = NULL;
    size_t size = 0;
    ll_error err;
    *log = NULL;
    if (!ll_glsl_compile(source, strlen(source), options, &words, &size, log, &err))
        return -1;
    /* The default of the OpSpecConstant (opcode 50) that OpDecorate (71) gives SpecId (1) 9. */
    uint32_t target = 0;
    int value = -2;
    for (int pass = 0; pass < 2; pass++)
        for (size_t i = 5; i < size / 4;) {
            uint32_t op = words[i] & 0xffff, count = words[i] >> 16;
            if (count == 0)
                break;
            if (pass == 0 && op == 71 && count == 4 && words[i + 2] == 1 && words[i + 3] == 9)
                target = words[i + 1];
            if (pass == 1 && op == 50 && count == 4 && words[i + 2] == target)
                value = (int)words[i + 3];
            i += count;
        }
    ll_free(words);
    return value;
}

#define ANSWER_MAIN(include)                                                              \
    "#version 450\n#include " include "\n"                                               \
    "layout(constant_id = 9) const int answer = ANSWER;\nvoid main() {}\n"

static void test_includes(void)
{
    char root[] = "/tmp/ll_program_XXXXXX";
    CHECK(mkdtemp(root) != NULL);
    char a[600], b[600], src[600];
    snprintf(a, sizeof a, "%s/a", root);
    snprintf(b, sizeof b, "%s/b", root);
    snprintf(src, sizeof src, "%s/src", root);
    CHECK(mkdir(a, 0700) == 0 && mkdir(b, 0700) == 0 && mkdir(src, 0700) == 0);
    write_file(a, "answer.glsl", "#define ANSWER 1\n");
    write_file(b, "answer.glsl", "#define ANSWER 2\n");
    write_file(b, "only_b.glsl", "#include \"answer.glsl\"\n"); /* b's own, from its folder */
    write_file(src, "answer.glsl", "#define ANSWER 3\n");
    write_file(a, "loop.glsl", "#include \"loop.glsl\"\n");
    write_file(a, "broken.glsl", "int f() { return 1 }\n");

    char name[700];
    snprintf(name, sizeof name, "%s/main.comp", src);
    const char *ab[] = {a, b, NULL}, *ba[] = {b, a, NULL};
    ll_compile_options o = {name, ab, NULL};
    char *log = NULL;

    /* "..." : the including file's folder first */
    CHECK(answer(ANSWER_MAIN("\"answer.glsl\""), &o, &log) == 3);
    /* <...> : include folders in order, never the including file's folder */
    CHECK(answer(ANSWER_MAIN("<answer.glsl>"), &o, &log) == 1);
    o.include_dirs = ba;
    CHECK(answer(ANSWER_MAIN("<answer.glsl>"), &o, &log) == 2);
    /* a file's own "..." includes start in its own folder (b), not in the first folder */
    o.include_dirs = ab;
    CHECK(answer(ANSWER_MAIN("<only_b.glsl>"), &o, &log) == 2);
    /* no folder in the name: "..." goes to the include folders */
    o.name = "main.comp";
    CHECK(answer(ANSWER_MAIN("\"answer.glsl\""), &o, &log) == 1);

    /* the built-in library, after the folders, without #extension in the source */
    CHECK(answer("#version 450\n#include <lluvia/core.glsl>\n#include \"lluvia/core.glsl\"\n"
                 "layout(constant_id = 9) const int answer = LL_SPECIALIZATION_BEGIN;\n"
                 "void main() {}\n", NULL, &log) == 4);
    CHECK(ll_glsl_library_file("lluvia/core.glsl", NULL) != NULL);
    CHECK(ll_glsl_library_file("lluvia/core/color.glsl", NULL) != NULL);
    CHECK(ll_glsl_library_file("lluvia/core/camera.glsl", NULL) != NULL);
    CHECK(ll_glsl_library_file("lluvia/none.glsl", NULL) == NULL);
    /* every function of the library compiles */
    size_t size = 0;
    uint32_t *lib = compile(
        "#version 450\n#include <lluvia/core.glsl>\n#include <lluvia/core/color.glsl>\n"
        "#include <lluvia/core/camera.glsl>\n"
        "layout(binding = 0, rgba8ui) uniform uimage2D img;\n"
        "layout(std140, binding = 1) uniform C { ll_camera camera; } cam;\n"
        "void main() {\n  const ivec2 c = LL_GLOBAL_COORDS_2D;\n"
        "  uvec4 v = imageLoad(img, c);\n"
        "  vec2 a = ll_camera_standardInterpolationCoordinates(cam.camera, vec2(c));\n"
        "  vec2 b = ll_camera_fisheyeInterpolationCoordinates(cam.camera, vec2(c));\n"
        "  uvec4 w = color_hsva2rgba(color_rgba2hsva(v, 0.0));\n"
        "  imageStore(img, ivec2(a + b), uvec4(color_rgba2gray(w)));\n"
        "  uint i = LL_GLOBAL_COORDS_1D; ivec3 j = LL_GLOBAL_COORDS_3D;\n}\n",
        NULL, &size);
    CHECK(lib != NULL);
    ll_free(lib);
    /* a folder's file of the same name comes before the built-in one */
    write_file(a, "core.glsl", "#define ANSWER 5\n");
    char lluvia_dir[700];
    snprintf(lluvia_dir, sizeof lluvia_dir, "%s/lluvia", a);
    CHECK(mkdir(lluvia_dir, 0700) == 0);
    write_file(lluvia_dir, "core.glsl", "#define ANSWER 6\n");
    CHECK(answer(ANSWER_MAIN("<lluvia/core.glsl>"), &o, &log) == 6);

    /* defines */
    const char *defines[] = {"ANSWER=41+1", "FLAG", NULL};
    ll_compile_options d = {"d.comp", NULL, defines};
    CHECK(answer("#version 450\n#ifdef FLAG\nlayout(constant_id = 9) const int answer = ANSWER;"
                 "\n#endif\nvoid main() {}\n", &d, &log) == 42);
    const char *bad[] = {"1X=2", NULL};
    d.defines = bad;
    uint32_t *words = NULL;
    ll_error err;
    CHECK(!ll_glsl_compile("void main() {}", 14, &d, &words, &size, &log, &err));
    CHECK(err.code == LL_E_ARGUMENT && strstr(err.message, "'1X=2'") != NULL && log == NULL);

    /* a missing include: the log names it, with the including file and line */
    o.name = "m.comp";
    CHECK(answer("#version 450\n\n#include \"nowhere.glsl\"\nvoid main() {}\n", &o, &log) == -1);
    CHECK(log != NULL && strstr(log, "m.comp:3") != NULL && strstr(log, "nowhere.glsl") != NULL);
    ll_free(log);
    /* an include loop stops, and says why */
    CHECK(answer("#version 450\n#include <loop.glsl>\nvoid main() {}\n", &o, &log) == -1);
    CHECK_MSG(log != NULL && strstr(log, "nest deeper than") != NULL, "%s", log);
    ll_free(log);
    /* an error in an included file: that file's name and line */
    CHECK(answer("#version 450\n#include <broken.glsl>\nvoid main() {}\n", &o, &log) == -1);
    CHECK_MSG(log != NULL && strstr(log, "/a/broken.glsl:1") != NULL, "%s", log);
    ll_free(log);

    char cmd[700];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", root);
    CHECK(system(cmd) == 0);
}

static void test_compile_errors(void)
{
    const char *source = "#version 450\nvoid main() {\n    float x = 1.0\n}\n";
    ll_compile_options o = {"shaders/bad.comp", NULL, NULL};
    uint32_t *words = NULL;
    size_t size = 0;
    char *log = NULL;
    ll_error err;
    CHECK(!ll_glsl_compile(source, strlen(source), &o, &words, &size, &log, &err));
    CHECK(err.code == LL_E_PROGRAM && words == NULL);
    CHECK_MSG(strncmp(err.message, "shaders/bad.comp: compile failed: ", 34) == 0, "%s",
              err.message);
    CHECK_MSG(log != NULL && strstr(log, "shaders/bad.comp:4") != NULL, "%s", log);
    CHECK(log != NULL && strcmp(log, err.message) == 0); /* short: the message is whole */
    ll_free(log);

    /* a long log: the message is cut to its room, the log is whole */
    char *many = malloc(4096);
    size_t n = (size_t)sprintf(many, "#version 450\nvoid main() {\n    undeclared_");
    for (int i = 0; i < 1000; i++)
        many[n++] = 'x';
    sprintf(many + n, " = 1;\n}\n");
    CHECK(!ll_glsl_compile(many, strlen(many), &o, &words, &size, &log, &err));
    CHECK_MSG(log != NULL && strlen(log) > 1000 && strstr(log, "No code generated") != NULL,
              "%s", log);
    CHECK(strlen(err.message) == LL_ERROR_MESSAGE_MAX - 1);
    ll_free(log);
    free(many);

    /* without a log pointer, the message alone */
    CHECK(!ll_glsl_compile(source, strlen(source), &o, &words, &size, NULL, &err));
    CHECK(err.code == LL_E_PROGRAM);
    /* a NUL byte in the source */
    CHECK(!ll_glsl_compile("void main() {}\0x", 16, &o, &words, &size, &log, &err));
    CHECK(err.code == LL_E_ARGUMENT && strstr(err.message, "NUL byte at offset 14") != NULL);
    CHECK(log == NULL);
}

static void test_programs(ll_session *s)
{
    ll_error err;
    char *log = NULL;
    ll_program *p = ll_program_compile(s, kinds_source, strlen(kinds_source), NULL, &log,
                                       &err);
    CHECK_MSG(p != NULL, "%s", err.message);
    if (p == NULL)
        return;
    VALID(p);
    CHECK(ll_program_session(p) == s);
    CHECK(ll_program_module(p) != VK_NULL_HANDLE);
    CHECK(ll_program_reflection(p)->binding_count == 5);
    CHECK(ll_program_find_binding(p, 0, 3)->type == LL_PORT_SAMPLED_IMAGE_VIEW);
    CHECK(ll_program_find_binding(p, 1, 0) == NULL);
    CHECK(ll_program_has_entry_point(p, "main") && !ll_program_has_entry_point(p, "other"));
    CHECK(ll_port_type_descriptor(LL_PORT_UNIFORM_BUFFER) == VK_DESCRIPTOR_TYPE_UNIFORM_BUFFER);

    size_t size = 0;
    const uint32_t *code = ll_program_spirv(p, &size);
    ll_program *q = ll_program_create(s, code, size, &err);
    CHECK_MSG(q != NULL, "%s", err.message);
    VALID(q);
    ll_program_retain(q);
    ll_program_release(q);
    VALID(q);
    ll_program_release(q);

    /* from a file */
    char path[] = "/tmp/ll_program_spv_XXXXXX";
    int fd = mkstemp(path);
    CHECK(fd >= 0 && write(fd, code, size) == (ssize_t)size);
    close(fd);
    ll_program *f = ll_program_load(s, path, &err);
    CHECK_MSG(f != NULL, "%s", err.message);
    VALID(f);
    ll_program_release(f);
    unlink(path);
    CHECK(ll_program_load(s, path, &err) == NULL && err.code == LL_E_FILE);
    CHECK_MSG(strstr(err.message, path) != NULL && strstr(err.message, "No such file") != NULL,
              "%s", err.message);
    CHECK(ll_program_load(s, "/tmp", &err) == NULL && strstr(err.message, "not a regular"));

    /* the port types' names are ll.PortType's */
    CHECK(strcmp(ll_enum_name(&ll_enum_port_type, LL_PORT_BUFFER), "Buffer") == 0);
    CHECK(strcmp(ll_enum_name(&ll_enum_port_type, LL_PORT_IMAGE_VIEW), "ImageView") == 0);
    CHECK(strcmp(ll_enum_name(&ll_enum_port_type, LL_PORT_SAMPLED_IMAGE_VIEW),
                 "SampledImageView") == 0);
    CHECK(strcmp(ll_enum_name(&ll_enum_port_type, LL_PORT_UNIFORM_BUFFER), "UniformBuffer") == 0);

    /* invalid SPIR-V reaches no driver */
    uint32_t junk[8] = {0x07230203, 0x00010000, 0, 1, 0, 0xffffffff, 0, 0};
    CHECK(ll_program_create(s, junk, sizeof junk, &err) == NULL);
    CHECK(err.code == LL_E_PROGRAM && strncmp(err.message, "invalid SPIR-V: ", 16) == 0);

    /* every host allocation and Vulkan call of a create, failed in turn */
    for (int kind = 0; kind < LL_FAULT_KINDS; kind++) {
        for (uint64_t n = 1;; n++) {
            ll_fault_clear();
            ll_fault_fail_after((ll_fault_kind)kind, n);
            ll_program *r = ll_program_create(s, code, size, &err);
            bool fired = ll_fault_fired() > 0;
            ll_fault_clear();
            if (!fired) {
                CHECK_MSG(r != NULL, "%s", err.message);
                ll_program_release(r);
                break;
            }
            CHECK(r == NULL);
            CHECK_MSG(err.code == LL_E_HOST_MEMORY || err.code == LL_E_DEVICE_MEMORY, "%s",
                      err.message);
            ll_program_release(r);
        }
        /* and of a compile, includes read from the library */
        for (uint64_t n = 1; kind == LL_FAULT_HOST; n++) {
            ll_fault_clear();
            ll_fault_fail_after(LL_FAULT_HOST, n);
            ll_program *r = ll_program_compile(s, kinds_source, strlen(kinds_source), NULL,
                                               &log, &err);
            bool fired = ll_fault_fired() > 0;
            ll_fault_clear();
            CHECK(log == NULL);
            if (!fired) {
                CHECK_MSG(r != NULL, "%s", err.message);
                ll_program_release(r);
                break;
            }
            CHECK_MSG(r == NULL && err.code == LL_E_HOST_MEMORY, "%s", err.message);
        }
    }
    ll_program_release(p);
    CHECK(!ll_session_has_warnings(s));
}

/* Compiles and reflects kinds_source; run by several threads at once. */
static void *compile_thread(void *arg)
{
    int *ok = arg;
    *ok = 1;
    for (int i = 0; i < 4; i++) {
        uint32_t *words = NULL;
        size_t size = 0;
        ll_program_info *info = NULL;
        ll_error err;
        if (!ll_glsl_compile(kinds_source, strlen(kinds_source), NULL, &words, &size, NULL,
                             &err) ||
            !ll_spirv_reflect(words, size, &info, &err) || info->binding_count != 5)
            *ok = 0;
        ll_program_info_free(info);
        ll_free(words);
    }
    return NULL;
}

/* glslang is initialized once, whichever thread compiles first, and compiles run in
 * parallel. */
static void test_threads(void)
{
    pthread_t threads[4];
    int ok[4];
    for (int i = 0; i < 4; i++)
        CHECK(pthread_create(&threads[i], NULL, compile_thread, &ok[i]) == 0);
    for (int i = 0; i < 4; i++) {
        pthread_join(threads[i], NULL);
        CHECK(ok[i] == 1);
    }
}

int main(void)
{
    test_threads();
    test_reflection();
    test_refused_kinds();
    test_invalid_spirv();
    test_includes();
    test_compile_errors();

    ll_error err;
    ll_session_options opts = {.enable_debug = true};
    ll_session *s = ll_session_create(&opts, &err);
    CHECK_MSG(s != NULL, "%s", err.message);
    if (s != NULL) {
        test_programs(s);
        ll_session_release(s);
    }
    return test_finish("program");
}

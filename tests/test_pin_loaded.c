/* test_pin_loaded.c: making and releasing sessions over and over, as fault-injection
 * loops and scripts do: each instance and device is made anew and works, and what the
 * first one loaded (the driver, the layers) stays loaded, so that the next ones do not
 * load the driver again (which exhausts static TLS on NVIDIA's driver: pin_loaded.c). */
#include <stdlib.h>

#include "lluvia/session.h"
#include "pin_loaded.h"
#include "test_util.h"

/* One session made and released; false (with a message) where it could not be made.
 * *alive is the count of loaded objects while it lived. */
static bool cycle(bool debug, unsigned *alive)
{
    ll_error err;
    ll_session_options opts = {.enable_debug = debug};
    ll_session *s = ll_session_create(&opts, &err);
    CHECK_MSG(s != NULL, "%s", err.message);
    if (s == NULL)
        return false;
    *alive = ll_loaded_object_count();
    ll_session_release(s);
    return true;
}

/* `cycles` sessions in turn: the first may load objects; after it, releasing a session
 * unloads nothing and making one loads nothing (without the pinning, the driver and the
 * layers go with each instance and come back with the next). */
static void test_cycles(bool debug, int cycles)
{
    unsigned alive;
    if (!cycle(debug, &alive))
        return;
    unsigned loaded = ll_loaded_object_count();
    CHECK_MSG(alive == loaded, "debug %d: %u objects loaded with the session, %u after it",
              (int)debug, alive, loaded);
    for (int i = 1; i < cycles; i++) {
        if (!cycle(debug, &alive))
            return;
        unsigned now = ll_loaded_object_count();
        CHECK_MSG(alive == loaded && now == loaded, "cycle %d (debug %d): %u objects loaded "
                  "with the session, %u after it, %u after the first", i, (int)debug, alive,
                  now, loaded);
        if (alive != loaded || now != loaded)
            return;
    }
}

int main(void)
{
    unsetenv("LLUVIA_ENABLE_DEBUG"); /* each cycle makes the instance it names */
    test_cycles(false, 200);
    test_cycles(true, 4); /* the validation layer: loaded once too */
    return test_finish("pin_loaded");
}

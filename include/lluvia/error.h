/* error.h: how the core reports failure. A failing call fills an ll_error with a code
 * and a message naming the parameter, the value and (for device failures) the Vulkan
 * result; it never prints, exits or raises. Not for: logging or warnings. */
#ifndef LL_ERROR_H
#define LL_ERROR_H

#include <stdbool.h>
#include <stddef.h>

typedef enum ll_status {
    LL_OK = 0,
    LL_E_ARGUMENT,        /* the caller passed a bad value (lluvia's ValueError) */
    LL_E_HOST_MEMORY,     /* malloc failed */
    LL_E_DEVICE_MEMORY,   /* the device is out of memory: a collection may help */
    LL_E_UNSUPPORTED,     /* the device cannot do what was asked (format, memory type) */
    LL_E_DEVICE,          /* any other Vulkan or driver failure */
    LL_E_STATE,           /* the object is in the wrong state (released, mapped, ...) */
    LL_E_PROGRAM,         /* GLSL that does not compile, SPIR-V that is not a valid module */
    LL_E_FILE             /* a file cannot be read or written, or is not what it must be */
} ll_status;

#define LL_ERROR_MESSAGE_MAX 480

/* ll_error.operand when no one operand of the call is at fault (a device failure). */
#define LL_OPERAND_NONE 0

typedef struct ll_error {
    ll_status code;
    /* Which operand the failure is about: its position among the failing call's
     * parameters, 1 for the first, or LL_OPERAND_NONE. A caller picks the argument to
     * blame from it, never from the message. Functions say at their declaration which
     * operands they blame. */
    int operand;
    char message[LL_ERROR_MESSAGE_MAX];
} ll_error;

/* Fills err (when not NULL) with code and a printf-style message, blaming no operand
 * (LL_OPERAND_NONE; see ll_error_blame). Returns false, so that
 * a failing function can end with `return ll_fail(err, ...)`. */
bool ll_fail(ll_error *err, ll_status code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Records that the failure already in err (when not NULL) is about operand `operand`
 * (1-based position among the failing call's parameters). Returns false, so that a check
 * can end with `return ll_error_blame(err, 2)`. */
bool ll_error_blame(ll_error *err, int operand);

/* Clears err to LL_OK with an empty message. */
void ll_error_clear(ll_error *err);

/* The name of a ll_status ("argument", "device memory", ...). */
const char *ll_status_name(ll_status code);

#endif

/* error.c: filling ll_error values. */
#include "lluvia/error.h"

#include <stdarg.h>
#include <stdio.h>

bool ll_fail(ll_error *err, ll_status code, const char *fmt, ...)
{
    if (err == NULL)
        return false;
    err->code = code;
    err->operand = LL_OPERAND_NONE;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->message, sizeof err->message, fmt, ap);
    va_end(ap);
    return false;
}

bool ll_error_blame(ll_error *err, int operand)
{
    if (err != NULL)
        err->operand = operand;
    return false;
}

void ll_error_clear(ll_error *err)
{
    if (err == NULL)
        return;
    err->code = LL_OK;
    err->operand = LL_OPERAND_NONE;
    err->message[0] = '\0';
}

const char *ll_status_name(ll_status code)
{
    switch (code) {
    case LL_OK: return "ok";
    case LL_E_ARGUMENT: return "argument";
    case LL_E_HOST_MEMORY: return "host memory";
    case LL_E_DEVICE_MEMORY: return "device memory";
    case LL_E_UNSUPPORTED: return "unsupported";
    case LL_E_DEVICE: return "device";
    case LL_E_STATE: return "state";
    case LL_E_PROGRAM: return "program";
    case LL_E_FILE: return "file";
    }
    return "unknown";
}

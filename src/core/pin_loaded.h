/* pin_loaded.h: keeping what the Vulkan loader loads for an instance or a device loaded
 * for the life of the process (see pin_loaded.c). */
#ifndef LL_PIN_LOADED_H
#define LL_PIN_LOADED_H

/* The number of objects (program, shared libraries) loaded in the process now. */
unsigned ll_loaded_object_count(void);

/* Marks every object past the first `before` of the process's list (those loaded since
 * ll_loaded_object_count returned `before`) as never to be unloaded. Best effort: an
 * object that cannot be marked stays as it was. */
void ll_pin_loaded_since(unsigned before);

#endif

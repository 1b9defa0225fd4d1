/* compute_node.h: compute nodes: a program's entry point with typed ports (set 0, bindings
 * 0 .. N-1), a local shape applied through specialization constants 1 to 3, a grid and
 * push constants; objects bound to ports (descriptor writes at once, rebinding allowed),
 * a pipeline made at init, and the dispatch recorded into a command buffer or run.
 * Every check happens here, before anything reaches the driver. Not for: builders,
 * parameters or container nodes (the binding's), or compiling programs (program.h). */
#ifndef LL_COMPUTE_NODE_H
#define LL_COMPUTE_NODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lluvia/buffer.h"
#include "lluvia/command_buffer.h"
#include "lluvia/error.h"
#include "lluvia/image_view.h"
#include "lluvia/program.h"

/* One port: the binding (set 0) it takes an object at, the object's kind, its name. */
typedef struct ll_node_port {
    const char *name;
    uint32_t binding;
    ll_port_type type;
} ll_node_port;

typedef struct ll_compute_node_desc {
    ll_program *program;          /* retained by the node */
    const char *function_name;    /* a GLCompute entry point of the program */
    /* The ports, any order; NULL: the program's bindings, named by their GLSL variables
     * (port_count is then ignored). Names and strings are copied. */
    const ll_node_port *ports;
    size_t port_count;
    uint32_t local_shape[3];
    uint32_t grid_shape[3];
    const void *push_constants;   /* push_constant_size bytes; may be NULL when 0 */
    size_t push_constant_size;
} ll_compute_node_desc;

/* What an argument error of this file is about (ll_error.operand): a field of the
 * description, or port i as LL_NODE_OPERAND_PORT + i (in the description's order, or the
 * program's where it gave none). */
typedef enum ll_node_operand {
    LL_NODE_OPERAND_PROGRAM = 1,
    LL_NODE_OPERAND_FUNCTION,
    LL_NODE_OPERAND_PORTS,
    LL_NODE_OPERAND_LOCAL_SHAPE,
    LL_NODE_OPERAND_GRID_SHAPE,
    LL_NODE_OPERAND_PUSH_CONSTANTS,
    LL_NODE_OPERAND_OBJECT,       /* the object given to bind */
    LL_NODE_OPERAND_PORT = 100,
} ll_node_operand;

typedef struct ll_compute_node ll_compute_node;

/* A node of desc, with its descriptor set layout, pipeline layout and descriptor set (from
 * the session's pools); the pipeline is made by ll_compute_node_init. LL_E_ARGUMENT, blaming
 * the field or port, for: no program; an empty function name or one the program has no
 * entry point of; a port whose kind differs from the shader's binding, a binding the
 * shader lacks, one in a set other than 0, a binding the shader has that no port declares,
 * two ports at one binding or of one name, bindings that are not 0 .. N-1; a local shape
 * with a zero axis, an axis past maxComputeWorkGroupSize or more invocations than
 * maxComputeWorkGroupInvocations; a grid axis past maxComputeWorkGroupCount; push
 * constants larger than maxPushConstantsSize or than the shader's block; more descriptors
 * of a kind than the device allows a stage (maxPerStageDescriptor*, maxPerStageResources).
 * LL_E_HOST_MEMORY or the Vulkan failure otherwise. NULL and err on failure, with nothing
 * left behind. Retains the program. */
ll_compute_node *ll_compute_node_create(const ll_compute_node_desc *desc, ll_error *err);
void ll_compute_node_retain(ll_compute_node *node);
void ll_compute_node_release(ll_compute_node *node);

/* Replaces the program of a node not yet initialized by another of the same session whose
 * layout is the node's: the same entry point, a binding of the same kind for each port and
 * no other, and a push-constant block of the same size (a node library picks the variant of
 * a shader that reads the formats bound, say). LL_E_STATE after init; LL_E_ARGUMENT blaming
 * LL_NODE_OPERAND_PROGRAM for another layout or session; nothing changes on failure. */
bool ll_compute_node_set_program(ll_compute_node *node, ll_program *program, ll_error *err);

ll_session *ll_compute_node_session(const ll_compute_node *node);
ll_program *ll_compute_node_program(const ll_compute_node *node);
const char *ll_compute_node_function(const ll_compute_node *node);

/* The ports, in binding order (port i is at binding i), and the index of the one named
 * `name` (-1 for none). */
size_t ll_compute_node_port_count(const ll_compute_node *node);
const ll_node_port *ll_compute_node_port(const ll_compute_node *node, size_t index);
int ll_compute_node_find_port(const ll_compute_node *node, const char *name);

/* Binds an object to port `index` and writes its descriptor at once: a buffer to a Buffer
 * port (StorageBuffer usage) or UniformBuffer port (UniformBuffer usage), at most
 * maxStorageBufferRange / maxUniformBufferRange bytes; a view to an ImageView port (Storage
 * usage; written for layout General) or a SampledImageView port (a sampled view; written
 * for the image's tracked layout now, General if that is neither General nor
 * ShaderReadOnlyOptimal). The node retains the object and releases what was bound before.
 * Rebinding after init is allowed; a command buffer recorded before it is refused at its
 * submit. LL_E_ARGUMENT blaming the object (LL_NODE_OPERAND_OBJECT) for a wrong kind, a
 * missing usage, another session; nothing changes on failure. */
bool ll_compute_node_bind_buffer(ll_compute_node *node, size_t index, ll_buffer *buffer,
                                 ll_error *err);
bool ll_compute_node_bind_view(ll_compute_node *node, size_t index, ll_image_view *view,
                               ll_error *err);

/* What port `index` is bound to: a buffer or a view (the other NULL), both NULL when
 * unbound. */
void ll_compute_node_bound(const ll_compute_node *node, size_t index, ll_buffer **buffer,
                           ll_image_view **view);

/* Makes the pipeline: specialization constants 1 to 3 hold the local shape where the
 * shader declares them, one push-constant range covers the shader's block. LL_E_STATE for
 * a second init. */
bool ll_compute_node_init(ll_compute_node *node, ll_error *err);
bool ll_compute_node_initialized(const ll_compute_node *node);

/* Grid (workgroups per axis), local shape and push constants. set_grid: LL_E_ARGUMENT
 * (LL_NODE_OPERAND_GRID_SHAPE) for an axis past maxComputeWorkGroupCount; zero is kept
 * and refused at record. configure_grid: grid = ceil(global / local) per axis, with
 * set_grid's check. set_push_constants: LL_E_ARGUMENT (LL_NODE_OPERAND_PUSH_CONSTANTS) past
 * maxPushConstantsSize or the shader's block; fewer bytes than the block leave the rest
 * zero. */
void ll_compute_node_grid(const ll_compute_node *node, uint32_t out[3]);
bool ll_compute_node_set_grid(ll_compute_node *node, const uint32_t grid[3], ll_error *err);
bool ll_compute_node_configure_grid(ll_compute_node *node, const uint32_t global[3],
                                    ll_error *err);
void ll_compute_node_local(const ll_compute_node *node, uint32_t out[3]);
const void *ll_compute_node_push_constants(const ll_compute_node *node, size_t *size);
bool ll_compute_node_set_push_constants(ll_compute_node *node, const void *data,
                                        size_t size, ll_error *err);

/* Binds since creation: a command buffer remembers it when it records the node and
 * refuses its submit once the node was bound again. */
uint64_t ll_compute_node_generation(const ll_compute_node *node);

/* Whether the node can be recorded now: LL_E_STATE before init; LL_E_ARGUMENT for an
 * unbound port (blaming it) or a zero grid axis (LL_NODE_OPERAND_GRID_SHAPE). */
bool ll_compute_node_check_ready(const ll_compute_node *node, ll_error *err);

/* Records into cb (ll_command_buffer_begin'd): moves every bound image to the layout its
 * descriptor was written for (a barrier that keeps the layout where it is already), a
 * barrier after every earlier write, the pipeline and set, the push constants as they are
 * now, the dispatch, and a barrier making its writes visible to every later command. The
 * buffer keeps the node until it is recorded again or destroyed. Errors of
 * ll_compute_node_check_ready, LL_E_STATE when cb is not recording, LL_E_ARGUMENT for a
 * node of another session. */
bool ll_compute_node_record(ll_compute_node *node, ll_command_buffer *cb, ll_error *err);

/* Records nodes[0 .. count-1] in order into the session's one-shot buffer, submits and
 * waits. Checks every node first: nothing is recorded unless all are ready. */
bool ll_compute_node_run(ll_compute_node *const *nodes, size_t count, ll_error *err);

/* The node's invariants (ports dense, bound objects of their kinds, handles made). */
bool ll_compute_node_validate(const ll_compute_node *node, ll_error *err);

#endif

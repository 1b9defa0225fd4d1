// lluvia/core.glsl: what every compute shader of a node includes: the workgroup size as
// specialization constants 1, 2 and 3 (so a node's localShape reaches the pipeline without
// recompiling), the first constant id left to the shader, and the invocation's coordinates.
#ifndef LL_CORE_GLSL
#define LL_CORE_GLSL

// The workgroup size: 1 x 1 x 1 unless the pipeline sets constants 1 (x), 2 (y), 3 (z).
layout(local_size_x = 1, local_size_x_id = 1,
       local_size_y = 1, local_size_y_id = 2,
       local_size_z = 1, local_size_z_id = 3) in;

// A shader's own specialization constants start at this id.
#define LL_SPECIALIZATION_BEGIN 4

// The invocation's position in the whole grid: a uint for 1D, signed vectors for 2D and
// 3D, as imageLoad and imageStore take them.
#define LL_GLOBAL_COORDS_1D (gl_GlobalInvocationID.x)
#define LL_GLOBAL_COORDS_2D (ivec2(gl_GlobalInvocationID.xy))
#define LL_GLOBAL_COORDS_3D (ivec3(gl_GlobalInvocationID.xyz))

#endif

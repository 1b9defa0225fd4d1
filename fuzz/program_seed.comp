// program_seed.comp: the seed of fuzz_program (.ci/run compiles it): one resource of each
// kind a node binds, push constants, and the local size of lluvia/core.glsl.
#version 450
#extension GL_GOOGLE_include_directive : enable
#include "lluvia/core.glsl"

layout(binding = 0) buffer Values { float v[]; } values;
layout(binding = 1, r32f) uniform image2D out_image;
layout(binding = 2) uniform sampler2D in_texture;
layout(binding = 3) uniform Params { vec4 u; } params;
layout(push_constant) uniform Push { float x; } push;

void main()
{
    values.v[LL_GLOBAL_COORDS_1D] = texture(in_texture, vec2(0)).x + params.u.x + push.x;
    imageStore(out_image, LL_GLOBAL_COORDS_2D, vec4(1));
}

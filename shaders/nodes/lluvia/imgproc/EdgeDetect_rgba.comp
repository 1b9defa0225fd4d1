// lluvia/imgproc/EdgeDetect_rgba.comp: EdgeDetect in one dispatch for an RGBA input: its gray
// (lluvia/color/RGBA2Gray's) written to out_gray, blurred, and the Sobel magnitude and edges.
#version 450
#extension GL_GOOGLE_include_directive : require
#include "lluvia/core/color.glsl"

#define EDGE_BINDING_MAGNITUDE 2
#define EDGE_BINDING_EDGES 3
layout(binding = 0, rgba8ui) uniform readonly uimage2D in_rgba;
layout(binding = 1, r8ui) uniform writeonly uimage2D out_gray;

#define EDGE_GRAY(p) float(color_rgba2gray(imageLoad(in_rgba, p)))
#define EDGE_WRITE_GRAY(p, g) imageStore(out_gray, p, uvec4(uint(g)))
#include "EdgeDetect.glsl"

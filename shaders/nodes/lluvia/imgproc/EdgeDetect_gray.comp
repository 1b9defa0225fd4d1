// lluvia/imgproc/EdgeDetect_gray.comp: EdgeDetect in one dispatch for a gray (Uint8 C1)
// input: blurred, and the Sobel magnitude and edges.
#version 450
#extension GL_GOOGLE_include_directive : require

#define EDGE_BINDING_MAGNITUDE 1
#define EDGE_BINDING_EDGES 2
layout(binding = 0, r8ui) uniform readonly uimage2D in_gray;

#define EDGE_GRAY(p) float(imageLoad(in_gray, p).r)
#define EDGE_WRITE_GRAY(p, g)
#include "EdgeDetect.glsl"

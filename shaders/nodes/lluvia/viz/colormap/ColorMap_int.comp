// variants: r32i r16i r8i
// lluvia/viz/colormap/ColorMap_int: a colour table applied to a 1-channel int image
// (ColorMap.glsl). Builder: lua/nodes/lluvia/viz/colormap/ColorMap.lua; docs/nodes.md.
#version 450
#extension GL_GOOGLE_include_directive : require
#define LL_IMAGE iimage2D
#include "lluvia/viz/colormap/ColorMap.glsl"

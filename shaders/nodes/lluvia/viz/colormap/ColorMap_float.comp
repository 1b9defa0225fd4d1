// variants: r32f r16f
// lluvia/viz/colormap/ColorMap_float: a colour table applied to a 1-channel float image
// (ColorMap.glsl). Builder: lua/nodes/lluvia/viz/colormap/ColorMap.lua; docs/nodes.md.
#version 450
#extension GL_GOOGLE_include_directive : require
#define LL_IMAGE image2D
#include "lluvia/viz/colormap/ColorMap.glsl"

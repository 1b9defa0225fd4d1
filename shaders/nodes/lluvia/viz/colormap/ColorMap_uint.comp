// variants: r32ui r16ui r8ui
// lluvia/viz/colormap/ColorMap_uint: a colour table applied to a 1-channel uint image
// (ColorMap.glsl). Builder: lua/nodes/lluvia/viz/colormap/ColorMap.lua; docs/nodes.md.
#version 450
#extension GL_GOOGLE_include_directive : require
#define LL_IMAGE uimage2D
#include "lluvia/viz/colormap/ColorMap.glsl"

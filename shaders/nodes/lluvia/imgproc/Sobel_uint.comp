// lluvia/imgproc/Sobel_uint.comp: the Sobel gradient of a gray image of uint values.
#version 450
#extension GL_GOOGLE_include_directive : require
#define IN_IMAGE_TYPE usampler2D
#include "Sobel.glsl"

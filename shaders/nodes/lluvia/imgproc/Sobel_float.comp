// lluvia/imgproc/Sobel_float.comp: the Sobel gradient of a gray image of float values.
#version 450
#extension GL_GOOGLE_include_directive : require
#define IN_IMAGE_TYPE sampler2D
#include "Sobel.glsl"

// lluvia/imgproc/GaussianBlur_uint.comp: a Gaussian pass reading images of uint channels.
#version 450
#extension GL_GOOGLE_include_directive : require
#define IN_IMAGE_TYPE usampler2D
#include "GaussianBlur.glsl"

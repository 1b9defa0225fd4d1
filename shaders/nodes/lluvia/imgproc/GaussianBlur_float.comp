// lluvia/imgproc/GaussianBlur_float.comp: a Gaussian pass reading images of float channels.
#version 450
#extension GL_GOOGLE_include_directive : require
#define IN_IMAGE_TYPE sampler2D
#include "GaussianBlur.glsl"

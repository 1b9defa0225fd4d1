// lluvia/imgproc/GaussianBlur_int.comp: a Gaussian pass reading images of int channels.
#version 450
#extension GL_GOOGLE_include_directive : require
#define IN_IMAGE_TYPE isampler2D
#include "GaussianBlur.glsl"

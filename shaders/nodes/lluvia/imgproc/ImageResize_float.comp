// lluvia/imgproc/ImageResize_float.comp: bilinear resizing of images of float channels.
#version 450
#extension GL_GOOGLE_include_directive : require
#define SAMPLER_TYPE sampler2D
#define IMAGE_TYPE image2D
#define VALUE_TYPE vec4
#define ROUND(v) ((v))
#include "ImageResize.glsl"

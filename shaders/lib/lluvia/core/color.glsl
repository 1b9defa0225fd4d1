// lluvia/core/color.glsl: colour conversions between 8-bit RGBA and gray or HSVA, with the
// conventions lluvia's colour nodes use: gray is BT.601 luma truncated to an integer; hue is
// in radians, [0, 2 pi); saturation, value and alpha are in [0, 1].
#ifndef LL_CORE_COLOR_GLSL
#define LL_CORE_COLOR_GLSL

// BT.601 luma of the red, green and blue channels (alpha is ignored), in [0, 255]: the
// weights in thousandths and an integer division, so the truncation is exact on every
// device (a float dot product lands on either side of an integer, device by device).
uint color_rgba2gray(const uvec4 RGBA)
{
    return (299u * RGBA.r + 587u * RGBA.g + 114u * RGBA.b) / 1000u;
}

// HSVA of an 8-bit RGBA colour (the hexcone model). A colour whose chroma is at most
// minChroma (in [0, 1]) is taken as gray: hue 0.
vec4 color_rgba2hsva(const uvec4 RGBA, const float minChroma)
{
    const vec4 unit = vec4(RGBA) / 255.0;
    // The largest channel is found on the integers, where equality is exact.
    const uint largest = max(RGBA.r, max(RGBA.g, RGBA.b));
    const float value = float(largest) / 255.0;
    const float chroma = value - min(unit.r, min(unit.g, unit.b));

    float sixths = 0.0; // the hue in sixths of a turn
    if (chroma > minChroma) {
        if (largest == RGBA.r) {
            sixths = mod((unit.g - unit.b) / chroma, 6.0);
        } else if (largest == RGBA.g) {
            sixths = 2.0 + (unit.b - unit.r) / chroma;
        } else {
            sixths = 4.0 + (unit.r - unit.g) / chroma;
        }
    }
    const float saturation = value > 0.0 ? chroma / value : 0.0;
    return vec4(radians(60.0 * sixths), saturation, value, unit.a);
}

// 8-bit RGBA of an HSVA colour (hue in radians), each channel rounded to the nearest
// integer and clamped to [0, 255].
uvec4 color_hsva2rgba(const vec4 HSVA)
{
    const float sixths = mod(degrees(HSVA.x) / 60.0, 6.0);
    const float value = HSVA.z;
    const float chroma = value * HSVA.y;
    // Each channel falls from value by chroma over the part of the turn it is away from:
    // red is centred on 0, green on 2 and blue on 4 sixths.
    const vec3 k = mod(vec3(5.0, 3.0, 1.0) + sixths, 6.0);
    const vec3 rgb = value - chroma * clamp(min(k, 4.0 - k), 0.0, 1.0);
    const vec4 rgba = clamp(vec4(rgb, HSVA.w) * 255.0 + 0.5, 0.0, 255.0);
    return uvec4(rgba);
}

#endif

/*
 * cpuser_esp32.c: see cpuser_esp32.h.
 */
#include "cpuser_esp32.h"

#include "esp_random.h"
#include "esp_timer.h"
#include "freertos/FreeRTOS.h"
#include "freertos/task.h"

static uint32_t esp_now_ms(void *ctx)
{
    (void)ctx;
    return (uint32_t)(esp_timer_get_time() / 1000);
}

static void esp_sleep_ms(void *ctx, uint32_t ms)
{
    (void)ctx;
    vTaskDelay(pdMS_TO_TICKS(ms) > 0 ? pdMS_TO_TICKS(ms) : 1);
}

static cpuser_err esp_random_bytes(void *ctx, void *buf, size_t len)
{
    (void)ctx;
    esp_fill_random(buf, len);
    return CPUSER_OK;
}

void cpuser_esp32_platform_init(cpuser_platform *p)
{
    p->ctx = NULL;
    p->now_ms = esp_now_ms;
    p->sleep_ms = esp_sleep_ms;
    p->random = esp_random_bytes;
}

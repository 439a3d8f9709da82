//! The calibration chart: measured against predicted time, before and after calibrating a
//! device.

use super::identity_line;
use crate::chart::{AxisSpec, Series, XyChart, PALETTE};
use crate::model::calibrate::CalibrationReport;

/// Measured against predicted time (ms, log–log), with the rated roofline's and the calibrated
/// device's predictions in two colours, their MAPE in the legend names, and the y = x line.
pub fn calibration_chart(r: &CalibrationReport) -> XyChart {
    let ms = |s: f64| s * 1e3;
    let before = r
        .rows
        .iter()
        .map(|x| (ms(x.measured_s), ms(x.predicted_before_s)))
        .collect();
    let after = r
        .rows
        .iter()
        .map(|x| (ms(x.measured_s), ms(x.predicted_after_s)))
        .collect();
    let mut series = vec![
        Series::points(
            format!("rated roofline (MAPE {:.1} %)", r.mape_before),
            PALETTE[1],
            before,
        ),
        Series::points(
            format!("calibrated (MAPE {:.1} %)", r.mape_after),
            PALETTE[0],
            after,
        ),
    ];
    series.extend(identity_line(
        r.rows
            .iter()
            .flat_map(|x| [x.measured_s, x.predicted_before_s, x.predicted_after_s])
            .map(ms),
    ));
    XyChart {
        title: "Predicted vs measured time".into(),
        x: AxisSpec::log("measured (ms)"),
        y: AxisSpec::log("predicted (ms)"),
        series,
        ..XyChart::default()
    }
}
